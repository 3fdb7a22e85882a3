"""Checking and cleaning an uploaded ID document or selfie (pure: bytes in, bytes out; no Django).

- The type comes from the content, never the name or the browser's word: JPEG, PNG and WebP images (Pillow opens
  and `verify()`s them) and PDF (pypdf reads it).
- Bombs are refused before they are unpacked: an image whose header promises more than `MAX_PIXELS` pixels, a PDF
  whose page tree claims more than `MAX_PDF_PAGES` pages, a compressed stream that inflates past
  `MAX_PDF_STREAM_BYTES` (checked with a bounded inflate), and objects nested so deep the parser recurses out.
- Metadata is stripped by re-encoding: an image's pixels are copied into a fresh image (EXIF orientation applied
  first), so no EXIF (GPS, camera, time), XMP or ICC profile survives; a PDF's pages are copied into a new file
  without its document information, its XMP metadata or the pages' own metadata.
"""

from __future__ import annotations

import io
import zlib
from dataclasses import dataclass
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PIXELS = 40_000_000  # a 7000 × 5700 photo; a real ID scan or selfie is far smaller
MAX_PDF_PAGES = 10
MAX_PDF_STREAM_BYTES = 32 * 1024 * 1024
JPEG_QUALITY = 92

IMAGE_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


class UploadRejected(Exception):
    """The file cannot be used; the message is for the person who sent it."""


@dataclass(frozen=True)
class CleanDocument:
    content: bytes
    content_type: str  # of `content` (image/jpeg, image/png or application/pdf)
    width: int = 0
    height: int = 0
    pages: int = 0


def sniff(data: bytes) -> str:
    """The format by its first bytes: "JPEG", "PNG", "WEBP", "PDF" or ""."""
    if data.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[:1024].lstrip().startswith(b"%PDF-"):
        return "PDF"
    return ""


def clean_upload(data: bytes) -> CleanDocument:
    kind = sniff(data)
    if not kind:
        raise UploadRejected("This is not a JPEG, PNG, WebP or PDF file.")
    if kind == "PDF":
        return clean_pdf(data)
    return clean_image(data, kind)


# --- images ---------------------------------------------------------------------------------------------


def clean_image(data: bytes, kind: str) -> CleanDocument:
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format != kind:
                raise UploadRejected("The file's content does not match its type.")
            width, height = probe.size
            if width * height > MAX_PIXELS:  # from the header: nothing is decoded yet
                raise UploadRejected(f"The image is too large ({width} × {height} pixels); send a smaller photo.")
            probe.verify()
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            upright = ImageOps.exif_transpose(img)
    except UploadRejected:
        raise
    except Image.DecompressionBombError:
        raise UploadRejected("The image is too large; send a smaller photo.") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise UploadRejected("The image is damaged or incomplete.") from None
    keep_png = kind == "PNG"
    mode = upright.mode
    if keep_png:
        if mode not in {"L", "LA", "RGB", "RGBA"}:
            upright = upright.convert("RGBA" if "A" in mode or mode == "P" else "RGB")
    elif mode not in {"L", "RGB"}:
        upright = upright.convert("RGB")
    # the pixels only, in a new image: its `info` (EXIF, XMP, ICC, comments, text chunks) starts empty
    clean = Image.frombytes(upright.mode, upright.size, upright.tobytes())
    out = io.BytesIO()
    if keep_png:
        clean.save(out, format="PNG", optimize=False)
        content_type = "image/png"
    else:
        clean.save(out, format="JPEG", quality=JPEG_QUALITY)
        content_type = "image/jpeg"
    return CleanDocument(content=out.getvalue(), content_type=content_type, width=clean.width, height=clean.height)


# --- PDF ------------------------------------------------------------------------------------------------


def _bounded_inflate(raw: bytes, limit: int) -> int:
    """How many bytes a Flate stream inflates to, refusing past `limit` without inflating further."""
    inflater = zlib.decompressobj()
    total = 0
    chunk = raw
    while chunk:
        total += len(inflater.decompress(chunk, 1024 * 1024))
        if total > limit:
            raise UploadRejected("The PDF contains a stream that unpacks to an unreasonable size.")
        chunk = inflater.unconsumed_tail
    return total


def _streams_of(page: Any) -> list[Any]:
    from pypdf.generic import ArrayObject, StreamObject

    found: list[Any] = []
    contents = page.get("/Contents")
    contents = contents.get_object() if contents is not None else None
    if isinstance(contents, StreamObject):
        found.append(contents)
    elif isinstance(contents, ArrayObject):
        found.extend(c.get_object() for c in contents)
    resources = page.get("/Resources")
    resources = resources.get_object() if resources is not None else {}
    xobjects = resources.get("/XObject") if hasattr(resources, "get") else None
    if xobjects is not None:
        for ref in xobjects.get_object().values():
            found.append(ref.get_object())
    return [s for s in found if isinstance(s, StreamObject)]


def _check_stream(stream: Any) -> None:
    filters = stream.get("/Filter")
    names = [str(f) for f in filters] if isinstance(filters, list) else [str(filters)] if filters else []
    raw = getattr(stream, "_data", b"") or b""
    if len(raw) > MAX_PDF_STREAM_BYTES:
        raise UploadRejected("The PDF contains a stream that is too large.")
    if names[:1] == ["/FlateDecode"]:
        try:
            _bounded_inflate(raw, MAX_PDF_STREAM_BYTES)
        except zlib.error:
            raise UploadRejected("The PDF is damaged (a compressed stream does not unpack).") from None


def clean_pdf(data: bytes) -> CleanDocument:
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PdfReadError, PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise UploadRejected("The PDF is password-protected; send it without a password.")
        root: Any = reader.trailer["/Root"].get_object()
        claimed = int(root["/Pages"].get_object().get("/Count", 0))
        if claimed > MAX_PDF_PAGES:
            raise UploadRejected(f"The PDF has {claimed} pages; send at most {MAX_PDF_PAGES}.")
        pages = list(reader.pages)
        if not pages or len(pages) > MAX_PDF_PAGES:
            raise UploadRejected(f"The PDF must have between 1 and {MAX_PDF_PAGES} pages.")
        for page in pages:
            for stream in _streams_of(page):
                _check_stream(stream)
        writer = PdfWriter()
        for page in pages:
            copied = writer.add_page(page)
            for key in ("/Metadata", "/PieceInfo", "/LastModified"):
                if key in copied:
                    del copied[key]
        writer.metadata = None
        out = io.BytesIO()
        writer.write(out)
    except UploadRejected:
        raise
    except RecursionError:
        raise UploadRejected("The PDF is nested too deeply to be read safely.") from None
    except (PdfReadError, PyPdfError, KeyError, TypeError, ValueError, AttributeError, OSError, zlib.error):
        raise UploadRejected("The PDF is damaged or cannot be read.") from None
    content = out.getvalue()
    if b"/Metadata" in content:  # belt and braces: no XMP packet may survive
        raise UploadRejected("The PDF carries metadata that cannot be removed; print it to a new PDF and retry.")
    return CleanDocument(content=content, content_type="application/pdf", pages=len(pages))
