"""Sortable unique ids (ULID layout: 48-bit millisecond time + 80 random bits, Crockford base32).

Ids made later in one process always sort after earlier ones, even within a millisecond.
"""

from __future__ import annotations

import secrets
import threading
import time

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_LOCK = threading.Lock()
_last_ms = -1
_last_rand = 0
ID_LENGTH = 26


def _encode(value: int) -> str:
    chars = []
    for _ in range(ID_LENGTH):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def new_id() -> str:
    global _last_ms, _last_rand
    with _LOCK:
        now_ms = time.time_ns() // 1_000_000
        if now_ms <= _last_ms:
            now_ms = _last_ms
            _last_rand += 1
            if _last_rand >= 1 << 80:  # pragma: no cover - 2**80 ids in one millisecond
                now_ms += 1
                _last_rand = secrets.randbits(79)
        else:
            _last_rand = secrets.randbits(79)  # leave headroom for increments
        _last_ms = now_ms
        return _encode((now_ms << 80) | _last_rand)


def id_timestamp_ms(value: str) -> int:
    number = 0
    for char in value.upper():
        number = (number << 5) | _ALPHABET.index(char)
    return number >> 80


def is_valid_id(value: object) -> bool:
    return isinstance(value, str) and len(value) == ID_LENGTH and all(c in _ALPHABET for c in value.upper())
