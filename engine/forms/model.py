"""Form definitions and answers: what a hosted form asks, and checking what a couple sent.

A form is `{"key", "title", "description", "questions": [...]}`; a question is
`{"key", "label", "type", "required", "options", "help"}` with `type` one of QUESTION_TYPES and
`options` only (and always) for the two choice types. The standard forms in
engine/library/forms.json have exactly this shape; a vendor's own forms are checked by
`parse_form`, which names every problem at once.

`check_answers(form, answers)` turns what arrived (JSON values, or the strings of an HTML form)
into clean answers: text stripped, numbers as int/float, dates as "YYYY-MM-DD", yes/no as
booleans, choices as the option text (a list, in the form's order, for multiple choice).
Unanswered optional questions are left out. Every bad answer is named in one InvalidAnswers.
"""
from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any, Mapping

from engine.errors import InvalidInput

QUESTION_TYPES = ("short_text", "long_text", "number", "date", "single_choice",
                  "multiple_choice", "yes_no")
CHOICE_TYPES = frozenset({"single_choice", "multiple_choice"})
KEY_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")  # the same rule as node ids and config.form
MAX_QUESTIONS = 100
MAX_OPTIONS = 50
TEXT_LIMITS = {"short_text": 500, "long_text": 10_000}
MAX_LABEL = 500
MAX_NUMBER = 1e12
YES = frozenset({"yes", "true", "on", "1", "y"})
NO = frozenset({"no", "false", "off", "0", "n"})


@dataclass
class Question:
    key: str
    label: str
    type: str
    required: bool = False
    options: list[str] = field(default_factory=list)
    help: str | None = None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if self.type not in CHOICE_TYPES:
            data.pop("options")
        if self.help is None:
            data.pop("help")
        return data


@dataclass
class FormDefinition:
    key: str
    title: str
    questions: list[Question]
    description: str = ""
    vendor_id: str | None = None  # None: a standard form from the library
    created_at: datetime | None = None
    updated_at: datetime | None = None
    updated_by: str | None = None

    @property
    def source(self) -> str:
        return "standard" if self.vendor_id is None else "vendor"

    def question(self, key: str) -> Question | None:
        return next((q for q in self.questions if q.key == key), None)

    def to_dict(self) -> dict[str, Any]:
        """The definition as the API and the library show it."""
        return {"key": self.key, "title": self.title, "description": self.description,
                "questions": [q.to_dict() for q in self.questions], "source": self.source}


class InvalidForm(InvalidInput):
    """A form definition with problems; details: {"problems": [{"field", "message"}, ...]}."""

    code = "INVALID_FORM"


class InvalidAnswers(InvalidInput):
    """Answers that do not fit the form; details: {"fields": [{"field", "label", "message"}]},
    one per bad question, in the form's order."""

    code = "INVALID_ANSWERS"

    def __init__(self, fields: list[dict[str, str]]):
        names = ", ".join(f["label"] or f["field"] for f in fields)
        super().__init__(f"some answers need another look: {names}", details={"fields": fields})
        self.fields = fields


# -- definitions -----------------------------------------------------------------------------

def parse_form(data: Any, *, vendor_id: str | None = None) -> FormDefinition:
    """A FormDefinition from its JSON shape, or InvalidForm naming every problem."""
    problems: list[dict[str, str]] = []

    def bad(where: str, message: str) -> None:
        problems.append({"field": where, "message": message})

    if not isinstance(data, Mapping):
        raise InvalidForm("a form must be a JSON object",
                          details={"problems": [{"field": "", "message": "not an object"}]})
    unknown = sorted(set(data) - {"key", "title", "description", "questions", "source"})
    for name in unknown:
        bad(name, f"unknown key {name!r}")
    key = data.get("key")
    if not isinstance(key, str) or not KEY_RE.fullmatch(key):
        bad("key", "must be 1-64 characters of A-Z a-z 0-9 _ -")
    title = data.get("title")
    if not isinstance(title, str) or not title.strip() or len(title) > MAX_LABEL:
        bad("title", f"must be a non-empty text of at most {MAX_LABEL} characters")
    description = data.get("description", "")
    if description is None:
        description = ""
    if not isinstance(description, str) or len(description) > TEXT_LIMITS["long_text"]:
        bad("description", "must be a text")
    raw = data.get("questions")
    questions: list[Question] = []
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_QUESTIONS:
        bad("questions", f"must be a list of 1 to {MAX_QUESTIONS} questions")
        raw = raw if isinstance(raw, list) else []
    seen: set[str] = set()
    for index, item in enumerate(raw[:MAX_QUESTIONS]):
        question = _parse_question(item, f"questions.{index}", bad)
        if question is None:
            continue
        if question.key in seen:
            bad(f"questions.{index}.key", f"duplicate question key {question.key!r}")
        seen.add(question.key)
        questions.append(question)
    if problems:
        summary = "; ".join(f"{p['field'] or 'form'}: {p['message']}" for p in problems[:5])
        raise InvalidForm(f"the form has {len(problems)} problem(s): {summary}",
                          details={"problems": problems})
    return FormDefinition(key=key, title=title.strip(), description=description.strip(),
                          questions=questions, vendor_id=vendor_id)


def _parse_question(item: Any, where: str, bad) -> Question | None:
    if not isinstance(item, Mapping):
        bad(where, "must be an object")
        return None
    ok = True
    for name in sorted(set(item) - {"key", "label", "type", "required", "options", "help"}):
        bad(f"{where}.{name}", f"unknown key {name!r}")
        ok = False
    key, label, kind = item.get("key"), item.get("label"), item.get("type")
    if not isinstance(key, str) or not KEY_RE.fullmatch(key):
        bad(f"{where}.key", "must be 1-64 characters of A-Z a-z 0-9 _ -")
        ok = False
    if not isinstance(label, str) or not label.strip() or len(label) > MAX_LABEL:
        bad(f"{where}.label", f"must be a non-empty text of at most {MAX_LABEL} characters")
        ok = False
    if kind not in QUESTION_TYPES:
        bad(f"{where}.type", f"must be one of {', '.join(QUESTION_TYPES)}")
        ok = False
    required = item.get("required", False)
    if not isinstance(required, bool):
        bad(f"{where}.required", "must be true or false")
        ok = False
    help_text = item.get("help")
    if help_text is not None and (not isinstance(help_text, str) or len(help_text) > MAX_LABEL):
        bad(f"{where}.help", f"must be a text of at most {MAX_LABEL} characters")
        ok = False
    options = item.get("options")
    if kind in CHOICE_TYPES:
        if not isinstance(options, list) or not 1 <= len(options) <= MAX_OPTIONS or not all(
                isinstance(o, str) and o.strip() and len(o) <= MAX_LABEL for o in options):
            bad(f"{where}.options", f"a {kind} question needs 1 to {MAX_OPTIONS} non-empty "
                                    "option texts")
            ok = False
        elif len({o.strip() for o in options}) != len(options):
            bad(f"{where}.options", "options must be different from each other")
            ok = False
    elif options is not None:
        bad(f"{where}.options", f"only choice questions have options, not {kind}")
        ok = False
    if not ok:
        return None
    return Question(key=key, label=label.strip(), type=kind, required=required,
                    options=[o.strip() for o in options] if kind in CHOICE_TYPES else [],
                    help=help_text.strip() if isinstance(help_text, str) and help_text.strip()
                    else None)


# -- answers ---------------------------------------------------------------------------------

def _blank(value: Any) -> bool:
    return value is None or value == [] or (isinstance(value, str) and not value.strip())


def check_answers(form: FormDefinition, answers: Any) -> dict[str, Any]:
    """Clean answers for `form`, or InvalidAnswers naming every bad question (and any answer to
    a question the form does not have)."""
    if not isinstance(answers, Mapping):
        raise InvalidAnswers([{"field": "answers", "label": "",
                               "message": "answers must be an object of question: answer"}])
    problems: list[dict[str, str]] = []
    clean: dict[str, Any] = {}
    for question in form.questions:
        value = answers.get(question.key)
        if isinstance(value, (list, tuple)):  # repeated HTML fields arrive as lists
            value = [v for v in value if not _blank(v)]
            if question.type != "multiple_choice":
                value = value[0] if len(value) == 1 else (value or None)
        if _blank(value):
            if question.required:
                problems.append(_problem(question, "Please answer this question."))
            continue
        try:
            clean[question.key] = _CLEANERS[question.type](question, value)
        except ValueError as error:
            problems.append(_problem(question, str(error)))
    for extra in sorted(k for k in answers if form.question(str(k)) is None):
        problems.append({"field": str(extra), "label": "",
                         "message": f"This form has no question {str(extra)!r}."})
    if problems:
        raise InvalidAnswers(problems)
    return clean


def _problem(question: Question, message: str) -> dict[str, str]:
    return {"field": question.key, "label": question.label, "message": message}


def _text(question: Question, value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("Please answer with text.")
    text = value.strip().replace("\r\n", "\n")
    limit = TEXT_LIMITS[question.type]
    if len(text) > limit:
        raise ValueError(f"Please keep this under {limit:,} characters.")
    if question.type == "short_text" and "\n" in text:
        text = " ".join(text.split())
    return text


def _number(question: Question, value: Any) -> int | float:
    if isinstance(value, bool):
        raise ValueError("Please enter a number, like 120.")
    if isinstance(value, str):
        text = value.strip().replace(",", "")
        try:
            value = int(text) if re.fullmatch(r"[+-]?\d+", text) else float(text)
        except ValueError:
            raise ValueError("Please enter a number, like 120.") from None
    if not isinstance(value, (int, float)) or not math.isfinite(value) \
            or abs(value) > MAX_NUMBER:
        raise ValueError("Please enter a number, like 120.")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return value


def _date(question: Question, value: Any) -> str:
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return date.fromisoformat(value.strip()).isoformat()
        except ValueError:
            pass
    raise ValueError("Please enter a date, like 2027-06-12.")


def _yes_no(question: Question, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in YES:
        return True
    if isinstance(value, str) and value.strip().lower() in NO:
        return False
    raise ValueError("Please answer yes or no.")


def _single(question: Question, value: Any) -> str:
    if isinstance(value, str) and value.strip() in question.options:
        return value.strip()
    raise ValueError("Please choose one of the options.")


def _multiple(question: Question, value: Any) -> list[str]:
    chosen = value if isinstance(value, (list, tuple)) else [value]
    picked: set[str] = set()
    for item in chosen:
        if _blank(item):
            continue
        if not isinstance(item, str) or item.strip() not in question.options:
            raise ValueError("Please choose only from the options.")
        picked.add(item.strip())
    return [o for o in question.options if o in picked]


_CLEANERS = {"short_text": _text, "long_text": _text, "number": _number, "date": _date,
             "yes_no": _yes_no, "single_choice": _single, "multiple_choice": _multiple}

__all__ = ["CHOICE_TYPES", "FormDefinition", "InvalidAnswers", "InvalidForm", "QUESTION_TYPES",
           "Question", "check_answers", "parse_form"]
