"""The standard form definitions shipped with the template library."""
from __future__ import annotations

import pytest

from engine.errors import NotFound
from engine.library import list_forms, list_templates, load_form, load_template

QUESTION_TYPES = {"short_text", "long_text", "number", "date", "single_choice",
                  "multiple_choice", "yes_no"}
CHOICE_TYPES = {"single_choice", "multiple_choice"}


def test_forms_are_well_formed():
    forms = list_forms()
    keys = [f["key"] for f in forms]
    assert len(keys) == len(set(keys))
    for form in forms:
        assert set(form) == {"key", "title", "description", "questions"}, form["key"]
        assert form["title"] and form["description"]
        assert form["questions"], form["key"]
        qkeys = [q["key"] for q in form["questions"]]
        assert len(qkeys) == len(set(qkeys)), form["key"]
        assert any(q["required"] for q in form["questions"]), form["key"]
        for q in form["questions"]:
            where = f"{form['key']}.{q['key']}"
            assert q["type"] in QUESTION_TYPES, where
            assert isinstance(q["required"], bool), where
            assert q["label"].strip(), where
            if q["type"] in CHOICE_TYPES:
                assert len(q["options"]) >= 2, where
                assert len(set(q["options"])) == len(q["options"]), where
            else:
                assert "options" not in q, where


def test_standard_forms_present():
    keys = {f["key"] for f in list_forms()}
    assert {"inquiry", "timeline_questionnaire", "shot_list", "music_preferences",
            "menu_selection", "final_details", "review"} <= keys


def test_every_form_a_template_uses_exists():
    keys = {f["key"] for f in list_forms()}
    used = {n["config"]["form"] for info in list_templates()
            for n in load_template(info.key)["nodes"] if n["type"] == "form"}
    assert used and used <= keys


def test_review_rating_is_a_number_conditions_can_compare():
    rating = next(q for q in load_form("review")["questions"] if q["key"] == "rating")
    assert rating["type"] == "number" and rating["required"]


def test_load_form_copy_and_not_found():
    form = load_form("review")
    form["questions"].clear()
    assert load_form("review")["questions"]
    with pytest.raises(NotFound) as caught:
        load_form("nope")
    assert caught.value.kind == "form"
