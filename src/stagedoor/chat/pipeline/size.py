"""Size limit: a chat line is short. Checked twice: raw (before any work) and displayed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from stagedoor.chat import codes as C

DEFAULT_MAX_CHARS: Final = 500
#: the raw input may carry invisible padding that normalization removes; beyond this
#: factor we refuse without normalizing (normalization cost is linear in input).
RAW_FACTOR: Final = 4


@dataclass(frozen=True, slots=True)
class SizeRefusal:
    code: str
    message: str


def check_raw_size(text: str, *, max_chars: int = DEFAULT_MAX_CHARS) -> SizeRefusal | None:
    if len(text) > max_chars * RAW_FACTOR:
        return SizeRefusal(C.ERR_MESSAGE_TOO_LONG, f"messages are at most {max_chars} characters")
    return None


def check_display_size(text: str, *, max_chars: int = DEFAULT_MAX_CHARS) -> SizeRefusal | None:
    if not text:
        return SizeRefusal(C.ERR_MESSAGE_EMPTY, "empty message")
    if len(text) > max_chars:
        return SizeRefusal(C.ERR_MESSAGE_TOO_LONG, f"messages are at most {max_chars} characters")
    return None
