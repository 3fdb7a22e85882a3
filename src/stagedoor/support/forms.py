"""Forms of the support pages."""

from __future__ import annotations

from django import forms

from stagedoor.support.models import Category, HelpArticle, Macro, Queue

LANGUAGES = [
    ("en", "English"), ("de", "Deutsch"), ("es", "Español"), ("fr", "Français"), ("it", "Italiano"),
    ("nl", "Nederlands"), ("pt", "Português"),
]  # fmt: skip


class TicketForm(forms.Form):
    category = forms.ChoiceField(choices=Category.choices, initial=Category.OTHER, label="What is it about?")
    subject = forms.CharField(max_length=200, label="Subject")
    body = forms.CharField(max_length=20_000, widget=forms.Textarea(attrs={"rows": 6}), label="Tell us what happened")
    email = forms.EmailField(required=False, max_length=254, label="Your e-mail address")
    language = forms.ChoiceField(choices=LANGUAGES, initial="en", label="Language for our answer")
    purchase_id = forms.CharField(required=False, max_length=26, widget=forms.HiddenInput)
    room = forms.CharField(required=False, max_length=30, widget=forms.HiddenInput)


class ReplyForm(forms.Form):
    body = forms.CharField(max_length=20_000, widget=forms.Textarea(attrs={"rows": 5}), label="Your reply")
    internal = forms.BooleanField(required=False, label="Internal note (staff only)")
    force = forms.BooleanField(required=False, label="Reply anyway (another agent is on this ticket)")


class EscalateForm(forms.Form):
    queue = forms.ChoiceField(choices=Queue.choices, label="To queue")
    note = forms.CharField(max_length=2000, label="Note for the next agent")


class SurveyForm(forms.Form):
    score = forms.TypedChoiceField(
        choices=[(i, str(i)) for i in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
        label="How did we do? (5 = great)",
    )
    comment = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), label="Anything to add?"
    )


class NoteForm(forms.Form):
    body = forms.CharField(max_length=4000, widget=forms.Textarea(attrs={"rows": 3}), label="Note about this person")


class MacroForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Macro
        fields = ("title", "body", "set_category", "escalate_to", "close", "active")
        widgets = {"body": forms.Textarea(attrs={"rows": 6})}
        help_texts = {"body": "Placeholders: {name}, {last_purchase}, {stream_advice}, {ticket}."}


class ArticleForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = HelpArticle
        fields = ("title", "slug", "summary", "audience", "body", "published")
        widgets = {"body": forms.Textarea(attrs={"rows": 12})}
        help_texts = {"body": "Plain text; a blank line starts a new paragraph."}
