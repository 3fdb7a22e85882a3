"""Every API schema has a name of its own: the OpenAPI document keys schemas by class name alone, so a second
`EarningsOut` in another app silently replaced the first — clients and the schemathesis run then checked one
endpoint's answers against another endpoint's schema."""

from __future__ import annotations

import importlib
import pkgutil
from collections import defaultdict

from ninja import Schema

import stagedoor


def test_no_two_api_schemas_share_a_name() -> None:
    where: dict[str, list[str]] = defaultdict(list)
    for app in pkgutil.iter_modules(stagedoor.__path__):
        try:
            module = importlib.import_module(f"stagedoor.{app.name}.schemas")
        except ModuleNotFoundError:
            continue
        for name, value in vars(module).items():
            if isinstance(value, type) and issubclass(value, Schema) and value.__module__ == module.__name__:
                where[name].append(app.name)
    assert len(where) > 100  # every app's schemas were found
    assert {name: apps for name, apps in where.items() if len(apps) > 1} == {}
