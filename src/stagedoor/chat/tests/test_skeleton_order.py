"""Look-alikes are folded before decomposition: a character whose decomposition or case fold would change its
look (final and lunate sigma fold to σ, which reads "o"; ŀ decomposes to "l·") keeps the letter it looks like."""

from __future__ import annotations

import pytest

from stagedoor.chat.pipeline.normalize import skeleton


@pytest.mark.parametrize(
    ("raw", "skel"),
    [
        ("ς", "c"),  # final sigma looks like c, not like σ
        ("ϲ", "c"),  # lunate sigma: NFKD would make it ς, then σ
        ("ŀ", "l"),  # l with middle dot: NFKD gives "l·"
        ("σ", "o"),  # plain sigma still reads as o
        ("ϲall me", "call me"),
        ("paypaŀ", "paypal"),
    ],
)
def test_lookalikes_fold_before_decomposition(raw: str, skel: str) -> None:
    assert skeleton(raw) == skel
