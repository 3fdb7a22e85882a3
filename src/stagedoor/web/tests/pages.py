"""Helpers for page tests: a consented client and a small reader of rendered HTML by data-testid."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from django.test import Client

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def consented(client: Client | None = None, user: Any = None) -> Client:
    """A client past the entry interstitial (age and terms), signed in as `user` if given."""
    client = client or Client()
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    client.post(
        "/api/v1/consent", data={"age_confirmed": True, "terms_accepted": True}, content_type="application/json"
    )
    return client


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    children: list[Element] = field(default_factory=list)
    text_parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join("".join(self.text_parts).split())

    def all(self, testid: str | None = None, **attrs: str) -> list[Element]:
        found = []
        for child in self.children:
            match = testid is None or child.attrs.get("data-testid") == testid
            if match and all(child.attrs.get(k.replace("_", "-")) == v for k, v in attrs.items()):
                found.append(child)
            found.extend(child.all(testid, **attrs))
        return found

    def one(self, testid: str) -> Element:
        found = self.all(testid)
        assert len(found) == 1, f"{len(found)} elements with data-testid={testid!r}"
        return found[0]

    def has(self, testid: str) -> bool:
        return bool(self.all(testid))


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v if v is not None else "" for k, v in attrs})
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        for element in self.stack[1:]:
            element.text_parts.append(data)


def parse(response: Any) -> Element:
    builder = _Builder()
    builder.feed(response.content.decode())
    return builder.root
