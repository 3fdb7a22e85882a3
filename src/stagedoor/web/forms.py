"""Page forms. They parse and validate input; the accounts services make every change."""

from __future__ import annotations

from django import forms


class SignupForm(forms.Form):
    email = forms.EmailField(max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    login = forms.CharField(max_length=30, help_text="3–30 lower-case letters, digits or _.")
    display_name = forms.CharField(max_length=60, required=False, label="Display name")
    password = forms.CharField(max_length=256, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))


class LoginForm(forms.Form):
    login = forms.CharField(
        max_length=254, label="Login or e-mail", widget=forms.TextInput(attrs={"autocomplete": "username"})
    )
    password = forms.CharField(max_length=256, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class CodeForm(forms.Form):
    code = forms.CharField(
        max_length=32,
        label="Code",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class EnterForm(forms.Form):
    age_confirmed = forms.BooleanField(required=False, label="I am 18 or older (or the age of majority where I live).")
    terms_accepted = forms.BooleanField(required=False, label="I accept the terms of service and the privacy notice.")
    next = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)


class TokenForm(forms.Form):
    name = forms.CharField(max_length=80, label="Token name")


class PasswordResetRequestForm(forms.Form):
    email = forms.EmailField(max_length=254)


class PasswordResetConfirmForm(forms.Form):
    password = forms.CharField(
        max_length=256, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), label="New password"
    )
