"""Page forms of verification. They parse input; the services decide and change things."""

from __future__ import annotations

from typing import Any

from django import forms

from stagedoor.verification import conf
from stagedoor.verification.models import AgeMethod, Method

DATE = forms.DateInput(attrs={"type": "date", "autocomplete": "bday"})


def method_choices() -> list[tuple[str, str]]:
    labels = dict(Method.choices)
    vendors = [
        (name, f"{labels[name]}: an online check with your ID and your camera") for name in conf.identity_vendors()
    ]
    return [*vendors, (Method.MANUAL.value, "Upload photos of your ID and a selfie; our compliance team reviews them")]


class IdentityForm(forms.Form):
    legal_name = forms.CharField(max_length=120, label="Legal name (as on your ID)")
    date_of_birth = forms.CharField(max_length=10, label="Date of birth", widget=DATE)
    country = forms.CharField(max_length=2, min_length=2, label="Country (two letters, e.g. DE)")
    method = forms.ChoiceField(label="How to verify", widget=forms.RadioSelect)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = method_choices()
        field = self.fields["method"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices
        field.initial = choices[0][0]


class ApplyForm(IdentityForm):
    stage_name = forms.CharField(max_length=60, label="Stage name")
    field_order = ["stage_name", "legal_name", "date_of_birth", "country", "method"]


class MethodForm(forms.Form):
    method = forms.ChoiceField(label="How to verify", widget=forms.RadioSelect)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["method"]
        assert isinstance(field, forms.ChoiceField)
        choices = method_choices()
        field.choices = choices
        field.initial = choices[0][0]


class DocumentsForm(forms.Form):
    id_front = forms.FileField(required=False, label="ID document, front")
    id_back = forms.FileField(required=False, label="ID document, back (if it has one)")
    selfie = forms.FileField(required=False, label="Selfie holding the document")


class CoPerformerAccountForm(forms.Form):
    login = forms.CharField(max_length=30, label="Their performer login")


class CoPerformerRecordForm(IdentityForm):
    stage_name = forms.CharField(max_length=60, label="Their stage name")
    release_signed_name = forms.CharField(max_length=120, label="Signature: they type their legal name")
    release_accepted = forms.BooleanField(required=False, label="They have read and accept the release above")
    field_order = ["stage_name", "legal_name", "date_of_birth", "country", "release_signed_name", "release_accepted"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["legal_name"].label = "Their legal name (as on their ID)"
        self.fields["date_of_birth"].label = "Their date of birth"
        self.fields["country"].label = "Their country (two letters)"


class RecoveryStartForm(forms.Form):
    login = forms.CharField(max_length=254, label="Your login or e-mail")


class NewPasswordForm(forms.Form):
    password = forms.CharField(
        max_length=256, label="New password", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )


# --- staff console ----------------------------------------------------------------------------------------


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject"), ("more_info", "More info")])
    reason = forms.CharField(max_length=2000, required=False, label="Reason (shown to the applicant)")
    document_expires_on = forms.DateField(required=False, label="ID document expires on", widget=DATE)


class AgePolicyForm(forms.Form):
    region = forms.CharField(max_length=6, label="Region (*, a country like GB, or a state like US-TX)")
    method = forms.ChoiceField(choices=AgeMethod.choices, label="Required before adult content")
    reason = forms.CharField(max_length=300, required=False, label="Why (shown to viewers)")


class ReverificationForm(forms.Form):
    reason = forms.CharField(max_length=500, label="Why they must verify again")
    days = forms.IntegerField(min_value=1, max_value=365, initial=14, label="Days to comply")


class StaffRecoveryForm(forms.Form):
    login = forms.CharField(max_length=254, label="Performer's login or e-mail")
