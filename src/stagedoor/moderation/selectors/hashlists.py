"""Reads of the perceptual-hash lists."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from stagedoor.moderation.errors import HashListNotFound
from stagedoor.moderation.models import HashEntry, HashList


@dataclass(frozen=True)
class HashListRow:
    hash_list: HashList
    entries: int


def hash_lists() -> list[HashListRow]:
    rows = HashList.objects.select_related("owner").annotate(n=Count("entries")).order_by("kind", "name")
    return [HashListRow(h, h.n) for h in rows]


def hash_list_get(list_id: str) -> HashList:
    found = HashList.objects.select_related("owner", "created_by").filter(pk=list_id).first()
    if found is None:
        raise HashListNotFound()
    return found


def hash_entries(hash_list: HashList, *, limit: int = 200) -> list[HashEntry]:
    return list(hash_list.entries.order_by("-created_at", "hash_hex")[: max(1, min(limit, 1000))])
