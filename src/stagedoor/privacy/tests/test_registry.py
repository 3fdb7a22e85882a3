"""Every app that keeps personal data takes part in export, erasure and retention: a new app cannot forget."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models

from stagedoor.core.config.privacy import RETENTION_DEFAULTS
from stagedoor.core.fields import EncryptedTextField
from stagedoor.core.privacy_registry import (
    ErasureResult,
    RetentionClass,
    erasers,
    exporters,
    register_eraser,
    register_retention,
    retention_classes,
)

# Models whose personal data is handled elsewhere, and why (keep this list short).
NOT_PERSONAL = {
    "core.auditentry": "kept as the security record; exported and accounted for by core.privacy (see docs)",
}


def _personal(model: type[models.Model]) -> list[str]:
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    found = []
    for field in model._meta.concrete_fields:
        if (field.is_relation and field.related_model is user_model) or isinstance(
            field, EncryptedTextField | models.EmailField | models.GenericIPAddressField
        ):
            found.append(field.name)
    return found


def test_every_app_with_personal_data_registered_an_exporter_and_an_eraser() -> None:
    missing: list[str] = []
    for model in apps.get_models():
        label = model._meta.app_label
        if not model.__module__.startswith("stagedoor.") or model._meta.label_lower in NOT_PERSONAL:
            continue
        fields = _personal(model)
        if fields and (label not in exporters() or label not in erasers()):
            missing.append(f"{model._meta.label} ({', '.join(fields)})")
    assert missing == [], (
        "these apps keep personal data but registered no exporter/eraser (core.privacy_registry, "
        f"in <app>/privacy.py): {missing}"
    )


def test_the_check_sees_personal_data() -> None:
    from stagedoor.chat.models import ChatMessage
    from stagedoor.rooms.models import Follow

    assert _personal(Follow) == ["user"]
    assert set(_personal(ChatMessage)) == {"user", "ip", "deleted_by"}


def test_every_retention_class_has_an_operator_period() -> None:
    assert retention_classes(), "no data class registered"
    assert {c.period for c in retention_classes().values()} <= set(RETENTION_DEFAULTS)
    assert {c.period for c in retention_classes().values()} == set(RETENTION_DEFAULTS)


def test_registering_twice_from_elsewhere_is_refused() -> None:
    def other(ctx: Any) -> ErasureResult:
        return ErasureResult()

    with pytest.raises(ValueError, match="registered twice"):
        register_eraser("chat", other)
    with pytest.raises(ValueError, match="action must be"):
        register_retention(
            RetentionClass(name="x.y", period="ip_logs", app_label="x", description="", action="shred", run=lambda r: 0)
        )
