"""Checking an attachment before any agent opens it (pure: bytes in, a verdict out; no Django).

"Scanned" here means a real content check, not an antivirus: no ClamAV signatures are available offline. What
is done:
- the size is capped (the configured limit);
- the type comes from the content, never the name or the mail's word: JPEG, PNG, WebP and PDF are opened and
  rewritten by the verification app's cleaner (`verification.uploads`: bomb limits, pixels copied into a fresh
  image — no EXIF/GPS/XMP/ICC —, PDF pages copied without document information or XMP); plain text (a log, an
  OBS log) must be UTF-8 without NUL bytes;
- everything else is refused: executables (PE/MZ, ELF, Mach-O, scripts with a #! line), archives (zip — so
  also Office files —, rar, 7z, gzip, bzip2, xz, tar), HTML and anything unrecognised.
"""

from __future__ import annotations

from dataclasses import dataclass

from stagedoor.verification.uploads import UploadRejected, clean_upload, sniff

EXECUTABLE_MAGIC = (
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a Linux program"),
    (b"\xcf\xfa\xed\xfe", "a macOS program"),
    (b"\xfe\xed\xfa\xcf", "a macOS program"),
    (b"\xca\xfe\xba\xbe", "a macOS or Java program"),
    (b"#!", "a script"),
)
ARCHIVE_MAGIC = (
    (b"PK\x03\x04", "a zip archive (or an Office file)"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
)


@dataclass(frozen=True)
class Verdict:
    ok: bool
    content_type: str = ""
    content: bytes = b""
    reason: str = ""


def _refuse(reason: str) -> Verdict:
    return Verdict(ok=False, reason=reason)


def check_attachment(data: bytes, *, max_bytes: int) -> Verdict:
    if len(data) > max_bytes:
        return _refuse(f"larger than {max_bytes // (1024 * 1024)} MB ({len(data) // (1024 * 1024)} MB)")
    if not data:
        return _refuse("empty")
    for magic, what in EXECUTABLE_MAGIC:
        if data.startswith(magic):
            return _refuse(f"{what}: programs are never accepted")
    for magic, what in ARCHIVE_MAGIC:
        if data.startswith(magic):
            return _refuse(f"{what}: archives are not accepted, attach the files themselves")
    if len(data) > 262 and data[257:262] == b"ustar":
        return _refuse("a tar archive: archives are not accepted, attach the files themselves")
    if sniff(data):
        try:
            clean = clean_upload(data)
        except UploadRejected as exc:
            return _refuse(str(exc))
        return Verdict(ok=True, content_type=clean.content_type, content=clean.content)
    if b"\x00" in data:
        return _refuse("an unrecognised binary file: photos (JPEG, PNG, WebP), PDF or plain text only")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return _refuse("an unrecognised file: photos (JPEG, PNG, WebP), PDF or plain text only")
    head = text[:1024].lstrip().lower()
    if head.startswith(("<!doctype html", "<html", "<script", "<svg", "<?xml")):
        return _refuse("HTML, SVG or XML: send it as plain text or a screenshot")
    return Verdict(ok=True, content_type="text/plain", content=data)
