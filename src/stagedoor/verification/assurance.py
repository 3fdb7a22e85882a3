"""A guest's age check, remembered on their device: a signed cookie holding a random device id and, once a check
passed, which method passed and until when. No evidence is in it, and nothing about the person."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.core import signing

COOKIE = "sd_age"
SALT = "stagedoor.verification.age-assurance"
MAX_AGE_S = 400 * 24 * 3600  # the cookie's own signature limit; `expires` inside decides a pass


@dataclass(frozen=True)
class DeviceAssurance:
    device_id: str
    method: str = ""  # the strongest method passed on this device, "" when none
    expires: int = 0  # epoch seconds


def read(request: Any) -> DeviceAssurance | None:
    raw = request.COOKIES.get(COOKIE, "") if request is not None else ""
    if not raw:
        return None
    try:
        data = signing.loads(raw, salt=SALT, max_age=MAX_AGE_S)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("d"), str):
        return None
    return DeviceAssurance(device_id=data["d"], method=str(data.get("m") or ""), expires=int(data.get("e") or 0))


def new_device() -> DeviceAssurance:
    return DeviceAssurance(device_id=secrets.token_urlsafe(18))


def dump(value: DeviceAssurance) -> str:
    return signing.dumps({"d": value.device_id, "m": value.method, "e": value.expires}, salt=SALT)


def set_cookie(response: Any, value: DeviceAssurance, *, secure: bool) -> None:
    response.set_cookie(COOKIE, dump(value), max_age=MAX_AGE_S, httponly=True, samesite="Lax", secure=secure)
