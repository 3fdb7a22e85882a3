"""Making a banner safe to serve (bytes or text in, clean content out; no Django).

- Image banners go through the same cleaner as fan photos (`fans.media.clean_image`): the type from the content,
  re-encoded from the pixels alone, so no EXIF/XMP/ICC/comment survives. At most `IMAGE_MAX_BYTES`.
- HTML5 banners are sanitised with nh3 (ammonia): no script, no event handler, no form, no frame, no link target;
  images only as `data:` URLs. What is left is served alone in a sandboxed iframe (no scripts, no same origin,
  no navigation) with a CSP that lets it load nothing from anywhere (`default-src 'none'`), so even CSS that
  names a URL fetches nothing. A click on the banner is the page's own link around the frame, through the click
  redirect, never a link inside the banner.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import nh3
from PIL import Image

from stagedoor.fans.media import MediaRefused, clean_image, sniff

IMAGE_MAX_BYTES = 1024 * 1024
HTML_MAX_CHARS = 100_000
FRAME_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; sandbox; frame-ancestors 'self'"

_TAGS = {
    "div",
    "span",
    "p",
    "br",
    "b",
    "i",
    "em",
    "strong",
    "small",
    "h1",
    "h2",
    "h3",
    "img",
    "style",
    "figure",
    "figcaption",
    "ul",
    "li",
    "svg",
}
_ATTRIBUTES = {"*": {"class", "style", "title"}, "img": {"src", "alt", "width", "height"}}


class CreativeRefused(Exception):
    """The banner cannot be used; the message is for the member of staff who sent it."""


@dataclass(frozen=True)
class CleanImage:
    content: bytes
    content_type: str
    width: int
    height: int


@dataclass(frozen=True)
class CleanHtml:
    html: str
    changed: bool  # the sanitiser removed something (a script, a handler, a remote URL…)


def clean_banner_image(data: bytes) -> CleanImage:
    if len(data) > IMAGE_MAX_BYTES:
        raise CreativeRefused(f"An image banner may be at most {IMAGE_MAX_BYTES // 1024} KB.")
    kind = sniff(data)
    if kind not in ("JPEG", "PNG", "WEBP"):
        raise CreativeRefused("An image banner is a JPEG, PNG or WebP file.")
    try:
        clean = clean_image(data, kind)
    except MediaRefused as exc:
        raise CreativeRefused(str(exc)) from None
    with Image.open(io.BytesIO(clean.content)) as img:
        width, height = img.size
    return CleanImage(clean.content, clean.content_type, width, height)


def sanitise_html(html: str) -> CleanHtml:
    if len(html) > HTML_MAX_CHARS:
        raise CreativeRefused(f"An HTML5 banner may be at most {HTML_MAX_CHARS:,} characters.")
    if "\x00" in html:
        raise CreativeRefused("The banner contains a NUL character.")
    cleaned = nh3.clean(
        html,
        tags=_TAGS,
        clean_content_tags={"script", "noscript", "iframe", "object", "template"},
        attributes=_ATTRIBUTES,
        url_schemes={"data"},
        link_rel=None,
        strip_comments=True,
    ).strip()
    if not cleaned:
        raise CreativeRefused("Nothing is left of this banner once scripts and remote content are taken out.")
    return CleanHtml(cleaned, changed=_normal(cleaned) != _normal(html))


def _normal(html: str) -> str:
    return "".join(html.split()).replace("'", '"').lower()


def frame_document(html: str, *, title: str) -> str:
    """The whole document the sandboxed iframe loads (the sanitised banner inside a fixed shell)."""
    safe_title = nh3.clean_text(title)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{safe_title}</title>"
        "<style>html,body{margin:0;padding:0;overflow:hidden;width:100%;height:100%}</style>"
        f"</head><body>{html}</body></html>"
    )
