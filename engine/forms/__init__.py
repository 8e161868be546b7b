"""Hosted forms: vendor form libraries, public links, validated answers.

- model.py       FormDefinition, Question, `parse_form` (definitions), `check_answers` (answers)
- errors.py      why a link cannot be used: unknown, used, expired, form unavailable
- tables.py      the vendor_form SQL table
- repository.py  `form_records(tx)`: vendor forms and the submission guard, in the caller's tx
- service.py     `FormService(engine)`: library, get_public_form, submit, client_forms
"""
from engine.forms.errors import (FormLinkError, FormLinkExpired, FormLinkUnknown, FormLinkUsed,
                                 FormUnavailable)
from engine.forms.model import (QUESTION_TYPES, FormDefinition, InvalidAnswers, InvalidForm,
                                Question, check_answers, parse_form)
from engine.forms.service import (AnsweredQuestion, ClientForm, FormService, FormSubmission,
                                  PublicForm)

__all__ = ["AnsweredQuestion", "ClientForm", "FormDefinition", "FormLinkError",
           "FormLinkExpired", "FormLinkUnknown", "FormLinkUsed", "FormService",
           "FormSubmission", "FormUnavailable", "InvalidAnswers", "InvalidForm", "PublicForm",
           "QUESTION_TYPES", "Question", "check_answers", "parse_form"]
