"""Manual uploads: checked by content, metadata stripped, encrypted at rest with a data key per document, read back
only by compliance through an expiring, audited view link. Corrupt files, bombs and huge uploads are refused with
nothing kept."""

from __future__ import annotations

import io
import socket
import time
import zlib
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from PIL import Image

from stagedoor.core.crypto import keyring
from stagedoor.core.models import AuditEntry
from stagedoor.verification import conf, services, vault
from stagedoor.verification.models import Document, Verification
from stagedoor.verification.tests.conftest import drawn_image, gps_exif
from stagedoor.verification.uploads import MAX_PDF_PAGES, UploadRejected, clean_upload
from stagedoor.web.tests.console_helpers import client_for

ADA = {"stage_name": "Nova Star", "legal_name": "Ada Example", "date_of_birth": "1994-03-02", "country": "NL"}


def _open_verification(make_user: Any, login: str = "uploader") -> tuple[Any, Verification]:
    person = make_user("viewer", login=login)
    application = services.performer_apply(user=person, method="manual", **ADA)
    assert application.verification is not None
    return person, application.verification


def _files() -> list[Path]:
    root = conf.documents_dir()
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.mark.django_db
def test_a_jpeg_with_gps_exif_is_stored_stripped_and_unreadable_without_the_key(make_user: Any) -> None:
    person, verification = _open_verification(make_user)
    original = drawn_image("JPEG", size=(400, 260), exif=gps_exif(), quality=95)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)[2] == (52.0, 22.0, 1.5)  # GPS is in there

    document = services.document_add(user=person, verification_id=verification.pk, kind="id_front", data=original)
    [path] = _files()
    assert path == conf.documents_dir() / document.path
    assert str(settings.STAGEDOOR.media_dir) not in str(path)  # never under the directory the site serves
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    on_disk = path.read_bytes()
    # encrypted: no JPEG marker, no EXIF, no camera name, not the original bytes
    for marker in (b"\xff\xd8\xff", b"Exif", b"InventedCam", b"JFIF"):
        assert marker not in on_disk
    assert on_disk.startswith(b"SDV1") and len(on_disk) >= document.size
    # the database holds only the wrapped data key, under the active KEK
    assert document.wrapped_key.startswith(f"v1.{keyring().active_id}.")
    # with the key: a clean JPEG, same pixels' size, no EXIF at all (no GPS), no ICC, no XMP
    clean = vault.unseal(document.pk, document.wrapped_key, on_disk)
    image = Image.open(io.BytesIO(clean))
    assert (image.format, image.size, document.content_type) == ("JPEG", (400, 260), "image/jpeg")
    assert dict(image.getexif()) == {} and "exif" not in image.info and "icc_profile" not in image.info
    assert b"Exif" not in clean and b"InventedCam" not in clean and b"http://ns.adobe.com/xap" not in clean
    # a file moved under another document's row does not open
    other = services.document_add(user=person, verification_id=verification.pk, kind="selfie", data=drawn_image())
    with pytest.raises(Exception, match="another record"):
        vault.unseal(other.pk, other.wrapped_key, on_disk)


@pytest.mark.django_db
def test_the_viewer_is_for_compliance_expires_and_audits_every_view(make_user: Any, settings: Any) -> None:
    person, verification = _open_verification(make_user)
    document = services.document_add(user=person, verification_id=verification.pk, kind="id_front", data=drawn_image())
    services.document_add(user=person, verification_id=verification.pk, kind="selfie", data=drawn_image())
    services.verification_submit(user=person, verification_id=verification.pk)
    compliance = make_user("compliance", login="cora")
    admin = make_user("admin", login="ada_admin")
    support = make_user("support_l1")
    cc = client_for(compliance)

    review = cc.get(f"/staff/applications/review/{verification.pk}/").content.decode()
    assert 'data-testid="view-id_front"' in review and "Ada Example" in review
    admin_review = client_for(admin).get(f"/staff/applications/review/{verification.pk}/").content.decode()
    assert 'data-testid="view-id_front"' not in admin_review and "Ada Example" not in admin_review  # status only
    assert client_for(admin).get(f"/staff/applications/document/{document.pk}/").status_code == 403
    assert client_for(support).get(f"/staff/applications/review/{verification.pk}/").status_code == 403

    viewer_page = cc.get(f"/staff/applications/document/{document.pk}/")
    assert viewer_page.status_code == 200 and viewer_page["Cache-Control"] == "no-store"
    src = viewer_page.context["src"]
    assert src.startswith("/staff/applications/file/")
    served = cc.get(src)
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert served["Cache-Control"] == "no-store, private" and "sandbox" in served["Content-Security-Policy"]
    assert Image.open(io.BytesIO(served.content)).size == (320, 200)
    cc.get(src)  # every view is recorded, not just the first
    views = AuditEntry.objects.filter(action="verification.document_viewed").order_by("seq")
    assert [(v.actor_id, v.data["document_id"], v.data["kind"]) for v in views] == [
        (compliance.pk, document.pk, "id_front")
    ] * 2

    # the link is this person's, and it expires
    other_compliance = client_for(make_user("compliance", login="cody"))
    refused = other_compliance.get(src)
    assert refused.status_code == 403 and b"expired or is not yours" in refused.content
    settings.STAGEDOOR_VERIFICATION_VIEW_LINK_S = 10
    real_time = time.time
    try:
        time.time = lambda: real_time() + 11  # the signer's clock, 11 s later
        expired = cc.get(src)
    finally:
        time.time = real_time
    assert expired.status_code == 403
    assert AuditEntry.objects.filter(action="verification.document_viewed").count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"MZ\x90\x00 not a picture at all", "This is not a JPEG, PNG, WebP or PDF file."),
        (drawn_image("PNG")[:300], "The image is damaged or incomplete."),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "The image is damaged or incomplete."),
    ],
)
def test_a_corrupt_upload_is_refused_and_nothing_is_kept(make_user: Any, data: bytes, message: str) -> None:
    person, verification = _open_verification(make_user)
    audit_before = AuditEntry.objects.count()
    with pytest.raises(Exception) as caught:
        services.document_add(user=person, verification_id=verification.pk, kind="id_front", data=data)
    assert getattr(caught.value, "code", "") == "verification.upload_refused" and str(caught.value) == message
    assert Document.objects.count() == 0 and _files() == [] and AuditEntry.objects.count() == audit_before


def _png_header_bomb(width: int, height: int) -> bytes:
    """A small PNG whose header promises width × height pixels (a decompression bomb's first step)."""
    import struct

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 1024 * 1024, 9)  # a little real zero data; the header is the bomb
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def test_an_image_bomb_is_refused_before_decoding() -> None:
    bomb = _png_header_bomb(9_000, 9_000)  # 81 megapixels in a file of a few kilobytes
    assert len(bomb) < 10_000
    with pytest.raises(UploadRejected, match=r"too large \(9000 × 9000 pixels\)"):
        clean_upload(bomb)
    with pytest.raises(UploadRejected, match=r"The image is too large; send a smaller photo\."):
        clean_upload(_png_header_bomb(30_000, 30_000))  # past Pillow's own bomb limit: refused on opening


def _pdf(pages: int = 1, *, with_metadata: bool = True) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    if with_metadata:
        writer.add_metadata({"/Author": "Invented Author", "/Title": "scan of an invented ID"})
        writer.xmp_metadata = None
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _raw_pdf(objects: list[bytes]) -> bytes:
    """A PDF written by hand (objects 1…n), with a correct cross-reference table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode())
    return out.getvalue()


def test_a_pdf_is_stripped_of_its_metadata() -> None:
    cleaned = clean_upload(_pdf(2))
    assert (cleaned.content_type, cleaned.pages) == ("application/pdf", 2)
    assert b"Invented Author" not in cleaned.content and b"/Author" not in cleaned.content
    assert b"/Producer" not in cleaned.content and b"/Metadata" not in cleaned.content


def test_pdf_bombs_are_refused() -> None:
    # a page tree that claims a million pages
    many = _raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1000000 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>",
        ]
    )
    with pytest.raises(UploadRejected, match=f"has 1000000 pages; send at most {MAX_PDF_PAGES}"):
        clean_upload(many)
    # a content stream of 64 KB that inflates to 64 MB
    packed = zlib.compress(b"0" * (64 * 1024 * 1024), 9)
    assert len(packed) < 100_000
    stream = f"<< /Length {len(packed)} /Filter /FlateDecode >>\nstream\n".encode() + packed + b"\nendstream"
    flate = _raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] /Contents 4 0 R >>",
            stream,
        ]
    )
    with pytest.raises(UploadRejected, match="unpacks to an unreasonable size"):
        clean_upload(flate)
    # arrays nested fifty thousand deep
    deep = _raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R /Nest " + b"[" * 50_000 + b"]" * 50_000 + b" >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>",
        ]
    )
    with pytest.raises(UploadRejected):
        clean_upload(deep)
    # and a plain damaged one
    with pytest.raises(UploadRejected, match="damaged or cannot be read"):
        clean_upload(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj trailer << >>\n%%EOF")


@pytest.mark.django_db(transaction=True)
def test_a_200_mb_upload_is_refused_without_reading_it(live_server: Any, make_user: Any) -> None:
    """Straight onto the socket: the headers announce 200 MB, a few MB follow, and the answer (413) comes before
    the rest would have been sent — the server never read the body."""
    person, verification = _open_verification(make_user, login="big_sender")
    from django.test import Client

    client = Client()
    client.force_login(person)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    host, port = live_server.url.removeprefix("http://").split(":")
    size = 200 * 1024 * 1024
    boundary = "----stagedoor-test"
    head = (
        f"POST /verify/{verification.pk}/documents HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Cookie: {settings.SESSION_COOKIE_NAME}={session}; {settings.CSRF_COOKIE_NAME}=x\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {size}\r\n\r\n"
        f'--{boundary}\r\nContent-Disposition: form-data; name="id_front"; filename="big.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode()
    started = time.monotonic()
    with socket.create_connection((host, int(port)), timeout=20) as sock:
        sock.sendall(head + b"\xff\xd8\xff" + b"\x00" * (2 * 1024 * 1024))
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert time.monotonic() - started < 15
    assert Document.objects.count() == 0 and _files() == []
    assert Verification.objects.get(pk=verification.pk).status == "started"


@pytest.mark.django_db
def test_an_upload_over_the_limit_without_a_declared_size_stops_at_the_limit(make_user: Any, settings: Any) -> None:
    from stagedoor.verification.uploads_http import LimitedUploadHandler

    settings.STAGEDOOR_VERIFICATION_UPLOAD_MAX_MB = 1
    handler = LimitedUploadHandler(conf.upload_max_bytes())
    handler.new_file("id_front", "big.jpg", "image/jpeg", None)
    assert handler.receive_data_chunk(b"\x00" * (512 * 1024), 0) is not None
    from django.core.files.uploadhandler import StopUpload

    with pytest.raises(StopUpload):
        handler.receive_data_chunk(b"\x00" * (600 * 1024), 512 * 1024)
    assert handler.exceeded
