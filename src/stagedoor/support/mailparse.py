"""Reading one inbound mail (pure: bytes in, a `ParsedMail` out; no Django).

- Headers are decoded (RFC 2047) with the standard library's modern policy.
- The text is the text/plain part; a mail with only HTML gets its text from the sanitised HTML's characters.
  HTML is never kept raw: nh3 (Ammonia) keeps a small allow-list of tags, drops scripts, styles, event
  handlers and `javascript:` URLs; links get rel="noopener noreferrer nofollow".
- Loop signals: `Auto-Submitted` other than "no" (RFC 3834), `Precedence: bulk|junk|list|auto_reply`,
  `X-Autoreply`/`X-Autorespond`/`X-Auto-Response-Suppress: All|AutoReply`, `X-Loop` naming our domain,
  a null or MAILER-DAEMON/postmaster sender, and mail from our own reply domain.
- The reply token: `support+<ticket>.<token>@domain` in To/Cc/Delivered-To or the envelope recipients.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr

import nh3

ALLOWED_TAGS = {
    "a", "b", "blockquote", "br", "code", "div", "em", "i", "li", "ol", "p", "pre", "span", "strong", "table",
    "tbody", "td", "th", "thead", "tr", "u", "ul", "h1", "h2", "h3", "h4", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}
TOKEN_RE = re.compile(r"^support\+(?P<ticket>[0-9A-Za-z]{26})\.(?P<token>[0-9a-z]{1,64})@(?P<domain>.+)$", re.I)
BODY_MAX_CHARS = 100_000


@dataclass(frozen=True)
class MailPart:
    filename: str
    content_type: str  # as the mail declared it (the type used is sniffed from the content)
    data: bytes


@dataclass
class ParsedMail:
    sender: str
    sender_name: str
    subject: str
    message_id: str
    recipients: list[str]
    text: str
    html: str  # sanitised
    attachments: list[MailPart] = field(default_factory=list)
    loop_reasons: list[str] = field(default_factory=list)
    language: str = ""

    @property
    def is_automatic(self) -> bool:
        return bool(self.loop_reasons)


def sanitise_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def html_to_text(html: str) -> str:
    """The characters of sanitised HTML, with block ends as line breaks (for the plain-text body)."""
    text = re.sub(r"(?i)<br\s*/?>|</(p|div|li|tr|h[1-4])>", "\n", html)
    text = re.sub(r"<[^>]+>", "", text)
    text = (
        text.replace("&nbsp;", " ").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
        .replace("&#39;", "'").replace("&amp;", "&")
    )  # fmt: skip
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def loop_reasons(msg: EmailMessage, sender: str, reply_domain: str) -> list[str]:
    reasons: list[str] = []
    auto = str(msg.get("Auto-Submitted", "")).strip().lower()
    if auto and auto != "no":
        reasons.append(f"Auto-Submitted: {auto}")
    precedence = str(msg.get("Precedence", "")).strip().lower()
    if precedence in {"bulk", "junk", "list", "auto_reply"}:
        reasons.append(f"Precedence: {precedence}")
    for header in ("X-Autoreply", "X-Autorespond", "X-Autorespond-From"):
        if msg.get(header) is not None:
            reasons.append(header)
    suppress = str(msg.get("X-Auto-Response-Suppress", "")).lower()
    if any(word in suppress for word in ("all", "autoreply", "oof")):
        reasons.append(f"X-Auto-Response-Suppress: {suppress}")
    if reply_domain and reply_domain.lower() in str(msg.get("X-Loop", "")).lower():
        reasons.append("X-Loop names us")
    local, _, domain = sender.lower().partition("@")
    if not sender or local in {"mailer-daemon", "postmaster", "no-reply", "noreply"}:
        reasons.append(f"sender {sender or '<>'} never reads replies")
    if reply_domain and domain == reply_domain.lower():
        reasons.append("sent from our own reply domain")
    return reasons


def _decode(part: EmailMessage) -> str:
    try:
        content = part.get_content()
    except (LookupError, UnicodeError, AssertionError):
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    return content if isinstance(content, str) else ""


def parse_mail(
    raw: bytes, *, envelope_from: str = "", envelope_to: list[str] | None = None, reply_domain: str = ""
) -> ParsedMail:
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    if not isinstance(msg, EmailMessage):  # pragma: no cover - policy.default always makes EmailMessage
        raise ValueError("not a mail")
    name, address = parseaddr(str(msg.get("From", "")))
    sender = (address or envelope_from or "").strip().lower()
    header_rcpts = [
        a for _, a in getaddresses([str(v) for h in ("To", "Cc", "Delivered-To") for v in msg.get_all(h, [])])
    ]
    recipients = [r.strip().lower() for r in [*header_rcpts, *(envelope_to or [])] if r and "@" in r]
    text_parts: list[str] = []
    html_parts: list[str] = []
    attachments: list[MailPart] = []
    for part in msg.walk():
        if not isinstance(part, EmailMessage) or part.is_multipart():
            continue
        disposition = part.get_content_disposition()
        ctype = part.get_content_type()
        filename = part.get_filename() or ""
        if (
            disposition == "attachment"
            or (filename and ctype not in {"text/plain", "text/html"})
            or (disposition == "inline" and ctype.split("/")[0] not in {"text"})
        ):
            payload = part.get_payload(decode=True)
            attachments.append(
                MailPart(
                    filename=(filename or "attachment")[:200],
                    content_type=ctype,
                    data=payload if isinstance(payload, bytes) else b"",
                )
            )
        elif ctype == "text/plain":
            text_parts.append(_decode(part))
        elif ctype == "text/html":
            html_parts.append(_decode(part))
    html = sanitise_html("\n".join(html_parts)) if html_parts else ""
    text = "\n".join(t.strip() for t in text_parts if t.strip()) or html_to_text(html)
    subject = " ".join(str(msg.get("Subject", "")).split())[:200]
    return ParsedMail(
        sender=sender,
        sender_name=(name or "").strip()[:80],
        subject=subject,
        message_id=str(msg.get("Message-ID", "")).strip()[:250],
        recipients=recipients,
        text=text.replace("\x00", "")[:BODY_MAX_CHARS],
        html=html.replace("\x00", "")[:BODY_MAX_CHARS],
        attachments=attachments,
        loop_reasons=loop_reasons(msg, sender, reply_domain),
        language=str(msg.get("Content-Language", "")).strip()[:8].lower(),
    )


def reply_tokens(recipients: list[str]) -> list[tuple[str, str, str]]:
    """(ticket id, token, domain) for each plus-address recipient."""
    found = []
    for address in recipients:
        match = TOKEN_RE.match(address)
        if match:
            found.append((match["ticket"].upper(), match["token"].lower(), match["domain"].lower()))
    return found


def strip_quoted(text: str) -> str:
    """The new part of a reply: cut at the first "On … wrote:" line or our reply marker."""
    lines = text.splitlines()
    kept: list[str] = []
    for line in lines:
        stripped = line.strip()
        if stripped.startswith("-- Reply above this line --") or re.match(r"^On .{4,200} wrote:$", stripped):
            break
        kept.append(line)
    while kept and (not kept[-1].strip() or kept[-1].lstrip().startswith(">")):
        kept.pop()
    return "\n".join(kept).strip() or text.strip()
