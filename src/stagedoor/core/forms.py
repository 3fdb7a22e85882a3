"""A service's refusal shown on a page: on the form fields it names, or as one sentence.

Services raise `ApplicationError`s; a `ValidationFailed` names its fields in `extra["fields"]`
(`{"price": ["Use a whole number …"]}`). Every app's pages show them the same way, with these two.
"""

from __future__ import annotations

from typing import Any

from django import forms

from stagedoor.core.errors import ApplicationError, ValidationFailed


def apply_error(form: forms.Form, exc: ApplicationError, *, renames: dict[str, str] | None = None) -> None:
    """Put a service error on the form: on the fields it names (renamed to the form's), else on the form."""
    fields: Any = exc.extra.get("fields") if isinstance(exc, ValidationFailed) else None
    if isinstance(fields, dict) and fields:
        for name, problems in fields.items():
            target = (renames or {}).get(name, name)
            for problem in problems if isinstance(problems, list) else [problems]:
                form.add_error(target if target in form.fields else None, str(problem))
    else:
        form.add_error(None, exc.message)


def refusal_text(exc: ApplicationError) -> str:
    """A refusal as one line: the fields' problems where it names fields, else its message."""
    fields = (exc.extra or {}).get("fields") or {}
    return " ".join(" ".join(problems) for problems in fields.values()) or exc.message
