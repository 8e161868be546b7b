"""engine.templating: sandboxed rendering, filters, problems, cache."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from engine.templating import (TemplateRenderError, compile_html, compile_text, longdate,
                               render_html, render_text, shortdate, template_problems)

VARS = {"client", "vendor", "event", "journey"}


def test_render_text():
    assert render_text("Hi {{ client.name }}!", {"client": {"name": "Ann & Bo"}}) == "Hi Ann & Bo!"


def test_render_html_escapes():
    out = render_html("<p>{{ client.name }}</p>", {"client": {"name": "<b>Ann</b>"}})
    assert out == "<p>&lt;b&gt;Ann&lt;/b&gt;</p>"


def test_missing_data_renders_empty():
    ctx = {"client": {"name": "Ann"}}
    assert render_text("[{{ client.fields.size }}]", ctx) == "[]"
    assert render_text("[{{ client.fields.a.b.c }}]", ctx) == "[]"
    assert render_text("[{{ client.nope | upper }}]", ctx) == "[]"
    assert render_text("{% if client.fields.x %}x{% else %}none{% endif %}", ctx) == "none"
    assert render_text("[{{ client.wedding_date | longdate }}]", ctx) == "[]"


def test_trailing_newline_is_kept():
    assert render_text("a\n", {}) == "a\n"


@pytest.mark.parametrize("value", [date(2027, 6, 12), datetime(2027, 6, 12, 15, 0),
                                   datetime(2027, 6, 12, 23, 0, tzinfo=timezone.utc),
                                   "2027-06-12", "2027-06-12T10:00:00Z",
                                   "2027-06-12T10:00:00+02:00"])
def test_date_filters(value):
    assert longdate(value) == "Saturday, 12 June 2027"
    assert shortdate(value) == "12 Jun 2027"


def test_date_filters_on_odd_input():
    assert longdate(None) == "" and shortdate("") == ""
    assert longdate("next spring") == "next spring"
    assert longdate(date(2027, 1, 1)) == "Friday, 1 January 2027"
    assert shortdate(date(2027, 9, 5)) == "5 Sep 2027"


def test_date_filters_in_templates():
    out = render_text("{{ d | longdate }} / {{ d | shortdate }}", {"d": "2027-06-12"})
    assert out == "Saturday, 12 June 2027 / 12 Jun 2027"


def test_sandbox_blocks_unsafe_access():
    with pytest.raises(TemplateRenderError):
        render_text("{{ ''.__class__.__mro__[1].__subclasses__() }}", {})
    # Unsafe attributes are simply not there (rendered empty), never leaked.
    assert render_text("[{{ client.__init__.__globals__ }}]", {"client": object()}) == "[]"
    with pytest.raises(TemplateRenderError):
        render_text("{{ client.__init__.__globals__['x'].y() }}", {"client": object()})


def test_render_errors_are_journey_errors():
    with pytest.raises(TemplateRenderError) as info:
        render_text("{{ x ", {})
    assert info.value.code == "TEMPLATE_ERROR"
    assert isinstance(info.value, ValueError)
    with pytest.raises(TemplateRenderError):
        render_text("{{ 1 / 0 }}", {})


def test_compiled_templates_are_cached():
    assert compile_text("cache {{ a }}") is compile_text("cache {{ a }}")
    assert compile_html("cache {{ a }}") is compile_html("cache {{ a }}")
    assert compile_text("cache {{ a }}") is not compile_html("cache {{ a }}")


def test_template_problems():
    assert template_problems("Hi {{ client.name }} {{ range(2) | list }}", VARS) == []
    assert template_problems("{{ nope }}", VARS) == [
        "uses unknown variable 'nope' (allowed: client, event, journey, vendor)"]
    (msg,) = template_problems("{% for %}", VARS)
    assert msg.startswith("does not compile:") and "(line 1)" in msg
    assert template_problems(5, VARS) == ["must be a string, got a number"]
    assert template_problems("{% include 'x' %}", VARS) == [
        "may not include, import or extend other templates"]
    assert template_problems("{{ form_url }}", VARS | {"form_url"}) == []


def test_template_problems_does_not_report_local_names():
    src = "{% set x = 1 %}{{ x }}{% for t in client.tags %}{{ t }}{{ loop.index }}{% endfor %}"
    assert template_problems(src, VARS) == []


@pytest.mark.parametrize("src", ["{{ client.name | nosuch }}", "{% if x is nosuchtest %}{% endif %}",
                                 "{% endif %}", "{{ client.name | longdate(1, 2, 3) }}x"[:0] + "{{ }}",
                                 "{% for x in %}{% endfor %}", "{{ 'a' ~ }}"])
def test_compile_time_errors_are_problems_not_exceptions(src):
    (msg,) = template_problems(src, VARS)
    assert msg.startswith("does not compile:")


def test_nested_too_deep_template():
    (msg,) = template_problems("{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}", VARS)
    assert msg.startswith("does not compile")
