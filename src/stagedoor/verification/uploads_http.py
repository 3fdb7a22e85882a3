"""Receiving document uploads over HTTP without taking in more than the limit.

A request whose declared length is over the limit is refused before its body is read (`too_large`); for a body of
unknown length, `LimitedUploadHandler` stops the upload the moment one file passes the limit, so a 200 MB file is
never read into memory (nor, beyond the limit, onto disk).
"""

from __future__ import annotations

from typing import Any

from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest

FORM_OVERHEAD = 256 * 1024  # multipart boundaries, headers and the small fields around the files


def declared_too_large(request: HttpRequest, *, files: int, limit: int) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > files * limit + FORM_OVERHEAD


class LimitedUploadHandler(FileUploadHandler):
    """Counts each file's bytes as they arrive and stops the upload past `limit` (`exceeded` tells the view)."""

    def __init__(self, limit: int, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.exceeded = False

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
