"""Form definitions and answer checking: every question type, every problem named."""
from __future__ import annotations

import pytest

from engine.forms import InvalidAnswers, InvalidForm, check_answers, parse_form
from engine.library import list_forms

EVERY_TYPE = {
    "key": "menu_tasting", "title": "Menu tasting", "description": "Before the tasting.",
    "questions": [
        {"key": "names", "label": "Your names", "type": "short_text", "required": True},
        {"key": "notes", "label": "Anything else?", "type": "long_text",
         "help": "Allergies, favourites"},
        {"key": "guests", "label": "Guests", "type": "number", "required": True},
        {"key": "tasting_day", "label": "Preferred day", "type": "date"},
        {"key": "style", "label": "Service style", "type": "single_choice",
         "options": ["Plated", "Buffet"], "required": True},
        {"key": "courses", "label": "Courses", "type": "multiple_choice",
         "options": ["Starter", "Main", "Dessert"]},
        {"key": "bar", "label": "Open bar?", "type": "yes_no"},
    ]}


def test_every_standard_form_is_a_valid_definition():
    forms = [parse_form(f) for f in list_forms()]
    assert {q.type for f in forms for q in f.questions} == {
        "short_text", "long_text", "number", "date", "single_choice", "multiple_choice",
        "yes_no"}


def test_answers_are_cleaned_by_type():
    form = parse_form(EVERY_TYPE, vendor_id="ven_1")
    clean = check_answers(form, {
        "names": "  Sam &\nAlex ", "notes": "Line 1\r\nLine 2", "guests": "1,200",
        "tasting_day": "2027-05-04", "style": "Plated", "courses": ["Dessert", "Starter", ""],
        "bar": "no"})
    assert clean == {"names": "Sam & Alex", "notes": "Line 1\nLine 2", "guests": 1200,
                     "tasting_day": "2027-05-04", "style": "Plated",
                     "courses": ["Starter", "Dessert"], "bar": False}
    typed = check_answers(form, {"names": "Sam", "guests": 12.5, "style": "Buffet",
                                 "bar": True, "courses": []})
    assert typed == {"names": "Sam", "guests": 12.5, "style": "Buffet", "bar": True}


def test_every_bad_answer_is_named_in_the_forms_order():
    form = parse_form(EVERY_TYPE)
    with pytest.raises(InvalidAnswers) as caught:
        check_answers(form, {"names": "   ", "guests": "NaN", "tasting_day": "04/05/2027",
                             "style": "Stations", "courses": ["Starter", "Cheese"],
                             "bar": "perhaps", "notes": 5, "wine": "red"})
    fields = caught.value.details["fields"]
    assert [f["field"] for f in fields] == ["names", "notes", "guests", "tasting_day", "style",
                                            "courses", "bar", "wine"]
    assert fields[0] == {"field": "names", "label": "Your names",
                         "message": "Please answer this question."}
    assert "Your names" in caught.value.message and caught.value.code == "INVALID_ANSWERS"
    with pytest.raises(InvalidAnswers):
        check_answers(form, ["not", "an", "object"])


@pytest.mark.parametrize("value", ["2027-02-30", "tomorrow", 20270504, True])
def test_dates_must_be_real_calendar_dates(value):
    form = parse_form(EVERY_TYPE)
    with pytest.raises(InvalidAnswers):
        check_answers(form, {"names": "S", "guests": 1, "style": "Plated", "tasting_day": value})


def test_text_limits():
    form = parse_form(EVERY_TYPE)
    with pytest.raises(InvalidAnswers) as caught:
        check_answers(form, {"names": "x" * 501, "guests": 1, "style": "Plated"})
    assert "500" in caught.value.fields[0]["message"]


def test_a_bad_definition_names_every_problem():
    with pytest.raises(InvalidForm) as caught:
        parse_form({"key": "bad key!", "title": "", "colour": "red", "questions": [
            {"key": "a", "label": "A", "type": "essay"},
            {"key": "b", "label": "B", "type": "single_choice"},
            {"key": "c", "label": "C", "type": "number", "options": ["1"]},
            {"key": "d", "label": "D", "type": "yes_no", "required": "yes"},
            {"key": "e", "label": "E", "type": "multiple_choice", "options": ["x", "x"]},
            {"key": "f", "label": "F", "type": "short_text"},
            {"key": "f", "label": "F again", "type": "short_text"},
        ]})
    fields = [p["field"] for p in caught.value.details["problems"]]
    assert fields == ["colour", "key", "title", "questions.0.type", "questions.1.options",
                      "questions.2.options", "questions.3.required", "questions.4.options",
                      "questions.6.key"]
    with pytest.raises(InvalidForm):
        parse_form({"key": "empty", "title": "Empty", "questions": []})
