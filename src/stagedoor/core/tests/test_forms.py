"""A service's refusal on a page: on the fields it names (renamed to the form's), else on the form or as one line."""

from __future__ import annotations

from django import forms

from stagedoor.core.errors import ApplicationError, NotFound, ValidationFailed
from stagedoor.core.forms import apply_error, refusal_text


class PriceForm(forms.Form):
    price = forms.CharField(required=False)
    label = forms.CharField(required=False)


def _form() -> PriceForm:
    form = PriceForm({})
    assert form.is_valid()
    return form


def test_field_problems_go_on_the_fields_they_name_and_unknown_ones_on_the_form() -> None:
    form = _form()
    exc = ValidationFailed(extra={"fields": {"price": ["Too high.", "Not whole."], "currency": ["Unknown."]}})
    apply_error(form, exc)
    assert form.errors == {"price": ["Too high.", "Not whole."], "__all__": ["Unknown."]}


def test_renames_map_a_service_field_to_the_forms() -> None:
    form = _form()
    apply_error(form, ValidationFailed(extra={"fields": {"name": "Too short."}}), renames={"name": "label"})
    assert form.errors == {"label": ["Too short."]}


def test_a_refusal_without_fields_goes_on_the_form() -> None:
    form = _form()
    apply_error(form, NotFound("No such package."))
    assert form.errors == {"__all__": ["No such package."]}


def test_refusal_text_joins_the_field_problems_or_gives_the_message() -> None:
    assert refusal_text(ValidationFailed.of_field("regions", "Use ISO codes.")) == "Use ISO codes."
    two = ValidationFailed(extra={"fields": {"a": ["One.", "Two."], "b": ["Three."]}})
    assert refusal_text(two) == "One. Two. Three."
    assert refusal_text(ApplicationError("Not now.")) == "Not now."
