"""Forms of the payout pages (the services check everything again; these only shape the input)."""

from __future__ import annotations

from django import forms

from stagedoor.payouts.models import PayoutMethod


class PayoutMethodForm(forms.Form):
    kind = forms.ChoiceField(
        label="Payout method", choices=PayoutMethod.Kind.choices, widget=forms.RadioSelect, initial="sepa"
    )
    holder_name = forms.CharField(
        label="Account holder",
        max_length=120,
        help_text="Your legal name, as on your verified ID: payouts go only to an account in your own name.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    iban = forms.CharField(label="IBAN (bank transfer)", max_length=42, required=False)
    bic = forms.CharField(label="BIC (bank transfer, optional)", max_length=11, required=False)
    email = forms.CharField(label="E-wallet account e-mail", max_length=254, required=False, widget=forms.EmailInput())
    address = forms.CharField(
        label="Bitcoin address",
        max_length=90,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[("clear", "Clear: a false positive"), ("confirm", "Confirm the match: never pay")],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label="Reason", max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
