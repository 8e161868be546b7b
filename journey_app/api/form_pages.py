"""The public form pages, rendered on the server: the form, the thank-you, and one page per
reason a link cannot be used. Jinja2 with autoescape on (answers and vendor texts are shown back
as text, never as markup) and StrictUndefined; no JavaScript, one inline stylesheet, so the
pages work on any phone and ship with a strict Content-Security-Policy.
"""
from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from jinja2 import DictLoader, Environment, StrictUndefined, select_autoescape

from engine.forms import PublicForm

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; "
                               "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",  # the link is the credential: never leak it onwards
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "X-Robots-Tag": "noindex, nofollow",
}

_BASE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>{% block title %}{% endblock %}</title>
<style>
  :root { --ink:#2f2a26; --soft:#6f655d; --accent:#a4553c; --paper:#fbf6f0; --card:#fff;
          --line:#e8ddd2; --bad:#b3261e; --badbg:#fdecea; }
  * { box-sizing: border-box; }
  body { margin:0; background:var(--paper); color:var(--ink); line-height:1.5;
         font: 17px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
  main { max-width: 640px; margin: 0 auto; padding: 24px 16px 56px; }
  .vendor { color:var(--accent); font-weight:600; letter-spacing:.02em; margin:8px 0 4px; }
  h1 { font-family: Georgia, "Times New Roman", serif; font-weight:normal; font-size:1.9rem;
       line-height:1.2; margin: 0 0 12px; }
  .card { background:var(--card); border:1px solid var(--line); border-radius:16px;
          padding: 20px 18px; box-shadow: 0 2px 10px rgba(80,50,30,.06); }
  .lead { color:var(--soft); margin: 0 0 20px; white-space: pre-line; }
  .q { margin: 0 0 22px; border:0; padding:0; }
  .q > label, .q > legend { display:block; font-weight:600; margin-bottom:6px; padding:0; }
  .tag { font-weight:normal; color:var(--soft); font-size:.9rem; }
  .help { color:var(--soft); font-size:.95rem; margin:-2px 0 8px; }
  input[type=text], input[type=number], input[type=date], textarea {
    width:100%; font:inherit; font-size:16px; color:inherit; background:#fffdfb;
    border:1px solid #cdbfb2; border-radius:10px; padding:12px; min-height:48px; }
  textarea { min-height: 120px; resize: vertical; }
  input:focus, textarea:focus { outline: 3px solid rgba(164,85,60,.35); border-color:var(--accent); }
  .choice { display:flex; align-items:center; gap:10px; min-height:44px; padding:4px 0;
            cursor:pointer; }
  .choice input { width:22px; height:22px; accent-color: var(--accent); flex: none; }
  .bad input[type=text], .bad input[type=number], .bad input[type=date], .bad textarea {
    border-color: var(--bad); }
  .err { color:var(--bad); font-weight:600; font-size:.95rem; margin:6px 0 0; }
  .summary { background:var(--badbg); border:1px solid #f3c1bc; border-radius:12px;
             padding:14px 16px; margin: 0 0 22px; }
  .summary h2 { font-size:1.05rem; margin:0 0 6px; }
  .summary ul { margin:0; padding-left: 20px; }
  .summary a { color: var(--bad); }
  button { width:100%; font:inherit; font-weight:600; color:#fff; background:var(--accent);
           border:0; border-radius:12px; padding:14px 18px; min-height:52px; cursor:pointer; }
  button:hover { filter: brightness(1.05); }
  .foot { color:var(--soft); font-size:.9rem; margin-top:18px; text-align:center; }
  .badge { display:flex; align-items:center; justify-content:center; width:52px; height:52px;
           border-radius:50%; background:#f6e7de; color:var(--accent); font-size:1.6rem;
           font-weight:700; margin: 0 0 10px; }
  .sr { position:absolute; width:1px; height:1px; overflow:hidden; clip:rect(0 0 0 0); }
</style>
</head>
<body><main>{% block body %}{% endblock %}</main></body>
</html>
"""

_FORM = """{% extends "base.html" %}
{% block title %}{{ title }} · {{ vendor }}{% endblock %}
{% block body %}
<p class="vendor">{{ vendor }}</p>
<h1>{{ title }}</h1>
<div class="card">
{% if first_name %}<p class="lead">Hi {{ first_name }}!{% if description %} {{ description }}{% endif %}</p>
{% elif description %}<p class="lead">{{ description }}</p>{% endif %}
{% if problems %}
<div class="summary" role="alert" aria-labelledby="summary-title" tabindex="-1">
  <h2 id="summary-title">A few answers need another look</h2>
  <ul>{% for p in problems %}<li><a href="#q-{{ p.field }}">{{ p.label or p.field }}</a>: {{ p.message }}</li>{% endfor %}</ul>
</div>
{% endif %}
<form method="post" action="" accept-charset="utf-8" novalidate>
{% for q in questions %}{% set err = errors.get(q.key) %}{% set val = values.get(q.key) %}
{% set describe = ((' h-' ~ q.key) if q.help else '') ~ ((' e-' ~ q.key) if err else '') %}
{% if q.type in ('single_choice', 'multiple_choice', 'yes_no') %}
<fieldset class="q{% if err %} bad{% endif %}" id="q-{{ q.key }}"{% if describe %} aria-describedby="{{ describe | trim }}"{% endif %}>
  <legend>{{ q.label }} {% if q.required %}<span class="tag">(required)</span>{% else %}<span class="tag">(optional)</span>{% endif %}</legend>
  {% if q.help %}<p class="help" id="h-{{ q.key }}">{{ q.help }}</p>{% endif %}
  {% if q.type == 'yes_no' %}
    {% for value, text in (('yes', 'Yes'), ('no', 'No')) %}
    <label class="choice"><input type="radio" name="{{ q.key }}" value="{{ value }}"{% if val == value %} checked{% endif %}{% if q.required %} required{% endif %}> {{ text }}</label>
    {% endfor %}
  {% else %}{% set kind = 'radio' if q.type == 'single_choice' else 'checkbox' %}
    {% for option in q.options %}
    <label class="choice"><input type="{{ kind }}" name="{{ q.key }}" value="{{ option }}"{% if (val is string and val == option) or (val is not string and val and option in val) %} checked{% endif %}> {{ option }}</label>
    {% endfor %}
  {% endif %}
  {% if err %}<p class="err" id="e-{{ q.key }}">{{ err }}</p>{% endif %}
</fieldset>
{% else %}
<div class="q{% if err %} bad{% endif %}">
  <label for="q-{{ q.key }}">{{ q.label }} {% if q.required %}<span class="tag">(required)</span>{% else %}<span class="tag">(optional)</span>{% endif %}</label>
  {% if q.help %}<p class="help" id="h-{{ q.key }}">{{ q.help }}</p>{% endif %}
  {% if q.type == 'long_text' %}
  <textarea id="q-{{ q.key }}" name="{{ q.key }}" maxlength="10000"{% if q.required %} required{% endif %}{% if err %} aria-invalid="true"{% endif %}{% if describe %} aria-describedby="{{ describe | trim }}"{% endif %}>{{ val or '' }}</textarea>
  {% else %}
  <input id="q-{{ q.key }}" name="{{ q.key }}" value="{{ val or '' }}"
    {%- if q.type == 'number' %} type="text" inputmode="decimal" autocomplete="off"
    {%- elif q.type == 'date' %} type="date"
    {%- else %} type="text" maxlength="500"{% endif %}
    {%- if q.required %} required{% endif %}{% if err %} aria-invalid="true"{% endif %}{% if describe %} aria-describedby="{{ describe | trim }}"{% endif %}>
  {% endif %}
  {% if err %}<p class="err" id="e-{{ q.key }}">{{ err }}</p>{% endif %}
</div>
{% endif %}
{% endfor %}
<button type="submit">Send my answers</button>
</form>
</div>
<p class="foot">{% if expires %}This link works until {{ expires }}. {% endif %}Your answers go straight to {{ vendor }}.</p>
{% endblock %}
"""

_MESSAGE = """{% extends "base.html" %}
{% block title %}{{ heading }}{% if vendor %} · {{ vendor }}{% endif %}{% endblock %}
{% block body %}
{% if vendor %}<p class="vendor">{{ vendor }}</p>{% endif %}
<div class="card">
  {% if icon %}<div class="badge" aria-hidden="true">{{ icon }}</div>{% endif %}
  <h1>{{ heading }}</h1>
  {% for line in lines %}<p class="lead">{{ line }}</p>{% endfor %}
</div>
{% endblock %}
"""

_env = Environment(loader=DictLoader({"base.html": _BASE, "form.html": _FORM,
                                      "message.html": _MESSAGE}),
                   autoescape=select_autoescape(default=True, default_for_string=True),
                   undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def _day(instant: datetime | str | None) -> str:
    if instant is None:
        return ""
    if isinstance(instant, str):
        instant = datetime.fromisoformat(instant.replace("Z", "+00:00"))
    return f"{instant.day} {instant.strftime('%B %Y')}"


def form_page(form: PublicForm, *, values: dict[str, Any] | None = None,
              problems: list[dict[str, str]] | None = None) -> str:
    problems = problems or []
    return _env.get_template("form.html").render(
        vendor=form.vendor_name, title=form.form.title, description=form.form.description,
        first_name=form.client_first_name,
        questions=[asdict(q) for q in form.form.questions],
        values=values or {}, problems=problems,
        errors={p["field"]: p["message"] for p in problems},
        expires=_day(form.expires_at))


def thanks_page(*, vendor: str, first_name: str, title: str) -> str:
    who = f", {first_name}" if first_name else ""
    return _message("Thank you" + who + "!", [
        f"{vendor} has your answers to “{title}”.",
        "You can close this page now. If anything changes, just reply to their email."],
        vendor=vendor, icon="✓")


def problem_page(code: str, details: dict[str, Any] | None) -> tuple[int, str]:
    """(HTTP status, page) for a link that cannot be used, by error code."""
    details = details or {}
    vendor = details.get("vendor") or ""
    contact = details.get("contact")
    reach = f"{vendor} ({contact})" if vendor and contact else (vendor or "your vendor")
    if code == "FORM_LINK_USED":
        when = _day(details.get("submitted_at"))
        return 409, _message("You’ve already sent this form", [
            f"Thank you! {vendor or 'Your vendor'} received your answers"
            + (f" on {when}." if when else "."),
            f"A form link can be used once. If something has changed, just get in touch "
            f"with {reach}."], vendor=vendor, icon="✓")
    if code == "FORM_LINK_EXPIRED":
        return 410, _message("This link has expired", [
            "Form links stay open for a while to keep your details safe, and this one has "
            "run out.",
            f"Please ask {reach} to send you a fresh link."], vendor=vendor, icon="!")
    if code == "FORM_UNAVAILABLE":
        return 410, _message("This form is no longer available", [
            f"{vendor or 'Your vendor'} may have replaced it with a newer one.",
            f"Please get in touch with {reach}."], vendor=vendor, icon="!")
    return 404, _message("We couldn’t find this form", [
        "The link may have been cut short when it was copied. Try opening it again from the "
        "email, making sure you copy the whole link.",
        "If it still doesn’t work, ask your vendor to send it again."], icon="?")


def simple_page(status: int, heading: str, line: str) -> tuple[int, str]:
    return status, _message(heading, [line])


def _message(heading: str, lines: list[str], *, vendor: str = "", icon: str = "") -> str:
    return _env.get_template("message.html").render(heading=heading, lines=lines,
                                                    vendor=vendor, icon=icon)


__all__ = ["SECURITY_HEADERS", "form_page", "problem_page", "simple_page", "thanks_page"]
