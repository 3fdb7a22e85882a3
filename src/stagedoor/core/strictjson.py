"""JSON for bodies that change state: an object naming one key twice is refused, never "last one wins".

`json.loads` keeps the last of duplicate keys, so `{"amount": 10, "amount": 20}` would be read as 20 by us
and maybe as 10 by a proxy, a log or a signature check in front of us. Every JSON body the API and the
processor postbacks read goes through `loads`.
"""

from __future__ import annotations

import json
from typing import Any

from stagedoor.core.errors import DuplicateJsonKey


def _unique_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj: dict[str, Any] = {}
    for key, value in pairs:
        if key in obj:
            raise DuplicateJsonKey(extra={"key": key[:100]})
        obj[key] = value
    return obj


def loads(data: str | bytes) -> Any:
    """Parse JSON like `json.loads`; DuplicateJsonKey for an object (at any depth) with a repeated key."""
    return json.loads(data, object_pairs_hook=_unique_object)
