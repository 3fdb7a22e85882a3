"""The endpoint form of the studio and console pages (the service checks the address; the form the shapes)."""

from __future__ import annotations

from django import forms

from stagedoor.webhooks.events import EVENT_TYPES


class EndpointForm(forms.Form):
    url = forms.CharField(
        label="Endpoint URL", max_length=2000, help_text="Where we POST events, e.g. https://example.com/hooks."
    )
    event_types = forms.MultipleChoiceField(
        label="Events", choices=[(t, f"{t} — {d}") for t, d in EVENT_TYPES.items()], widget=forms.CheckboxSelectMultiple
    )
    description = forms.CharField(label="Description (optional)", max_length=200, required=False)
