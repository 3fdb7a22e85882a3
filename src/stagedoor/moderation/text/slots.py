"""Slot fillers for the generated chat data set: invented names, handles, numbers, places.

Every value is made up (random letters, numbers in reserved ranges such as 555, streets
that name no real place), drawn from a seeded ``random.Random`` so the data set is the same
on every run.
"""

from __future__ import annotations

import random
import string
from collections.abc import Callable
from typing import Final

type Filler = Callable[[random.Random], str]


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST_NAMES: Final = _words(
    "Mira Tobin Kasia Oren Lilou Dario Nell Ansel Priya Joas Ilse Rafe Tamsin Elio Varya Bram Seren Cato "
    "Wren Ines Halvard Zuri Lior Anouk Teodor Maelis Corin Yara Faisal Odile Kenji Sabra Lukas Noor Emrys "
    "Delphine Arlo Iris Matteo Solene Ravi Greta Idris Amara Pavel Leonie Quill Esme"
)
LAST_NAMES: Final = _words(
    "Vantreck Olsbury Marlowe Quennell Hartfield Dubrov Castellane Whitlock Pemberly Orsini Falkner "
    "Ashdown Brennicke Lindqvist Moravec Sauveterre Kettering Tallis Rosewarne Okonkwo Halloran Varga "
    "Mistral Thornby"
)
HANDLE_WORDS: Final = _words(
    "kitty luna velvet moon star honey peach dream angel sugar bunny foxy rose lily cherry pixie sunny "
    "wild blue night silver happy lucky sweet tiny misty ruby jade coco bambi"
)
STREET_WORDS: Final = _words(
    "Maple Birchwood Larkspur Quarry Elmstead Copperfield Willowbank Harrowgate Fernhill Ashgrove"
)
STREET_KINDS: Final = _words("Street St Avenue Ave Road Rd Lane Drive Court Way Boulevard Terrace")
TOWNS: Final = _words("Oakhaven Brackenford Millbrook Easton Vale Kestrel Bay Harlow Cross Dunmere Rookwell Fairmead")
EMPLOYERS: Final = (
    "the Sunnyside dental clinic",
    "Harbor Freight depot",
    "the Millbrook public library",
    "Kestrel Bay hospital",
    "the Larkspur call center",
    "a bakery on Quarry Road",
    "the Dunmere council office",
    "Fairmead elementary",
)
PROVIDERS: Final = ("gmail", "hotmail", "yahoo", "outlook", "icloud", "protonmail", "proton")
TLDS: Final = ("com", "net", "me", "org")
_B58: Final = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BECH32: Final = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def pick(*values: str) -> Filler:
    return lambda rng: rng.choice(values)


def first_name(rng: random.Random) -> str:
    return rng.choice(FIRST_NAMES)


def full_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def handle(rng: random.Random) -> str:
    word = rng.choice(HANDLE_WORDS)
    style = rng.randrange(5)
    if style == 0:
        return f"{word}{rng.choice(HANDLE_WORDS)}{rng.randrange(10, 999)}"
    if style == 1:
        return f"{word}_{rng.choice(HANDLE_WORDS)}"
    if style == 2:
        return f"the{word}{rng.choice(('girl', 'babe', 'x', 'xo', 'official', 'vip'))}"
    if style == 3:
        return f"{rng.choice(FIRST_NAMES).lower()}.{word}{rng.randrange(1, 99)}"
    return f"{word}{rng.choice(('xx', '69', '4u', '_x', 'baby', 'doll'))}"


def at_handle(rng: random.Random) -> str:
    return "@" + handle(rng)


def email(rng: random.Random) -> str:
    local = handle(rng).replace("_", ".")
    return f"{local}@{rng.choice(PROVIDERS)}.{rng.choice(TLDS[:2])}"


def phone(rng: random.Random) -> str:
    """A phone number in the fictional 555-01xx range, written in one of the usual ways."""
    area = rng.randrange(201, 989)
    line = f"01{rng.randrange(0, 100):02d}"
    style = rng.randrange(7)
    if style == 0:
        return f"({area}) 555-{line}"
    if style == 1:
        return f"{area}-555-{line}"
    if style == 2:
        return f"{area}.555.{line}"
    if style == 3:
        return f"+1 {area} 555 {line}"
    if style == 4:
        return f"{area}555{line}"
    if style == 5:
        return f"{area} 555 {line}"
    return f"+44 7700 900{rng.randrange(100, 999)}"  # the UK's drama range


def btc_address(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return "bc1q" + "".join(rng.choice(_BECH32) for _ in range(38))
    return rng.choice("13") + "".join(rng.choice(_B58) for _ in range(33))


def eth_address(rng: random.Random) -> str:
    return "0x" + "".join(rng.choice("0123456789abcdef") for _ in range(40))


def crypto_address(rng: random.Random) -> str:
    return btc_address(rng) if rng.random() < 0.55 else eth_address(rng)


def street_address(rng: random.Random) -> str:
    return f"{rng.randrange(2, 980)} {rng.choice(STREET_WORDS)} {rng.choice(STREET_KINDS)}"


def plate(rng: random.Random) -> str:
    letters = string.ascii_uppercase
    if rng.random() < 0.5:
        return f"{rng.choice(letters)}{rng.choice(letters)}{rng.randrange(10, 99)} {''.join(rng.choices(letters, k=3))}"
    return f"{rng.randrange(1, 9)}{''.join(rng.choices(letters, k=3))}{rng.randrange(100, 999)}"


def phishing_link(rng: random.Random) -> str:
    word = rng.choice(("stagedoor", "stage-door", "stagedor", "sdoor", "stagedoor-support"))
    bait = rng.choice(("verify", "login", "free-tokens", "bonus", "claim", "secure", "unlock", "rewards", "gift"))
    tld = rng.choice(("xyz", "top", "info", "live", "site", "online", "click"))
    path = rng.choice(("", "/login", "/verify", f"/claim?id={rng.randrange(1000, 9999)}", "/account"))
    scheme = rng.choice(("https://", "http://", "", "www."))
    return f"{scheme}{word}-{bait}.{tld}{path}" if rng.random() < 0.6 else f"{scheme}{bait}-{word}.{tld}{path}"


def minor_age(rng: random.Random) -> str:
    n = rng.randrange(11, 18)
    words = {
        11: "eleven",
        12: "twelve",
        13: "thirteen",
        14: "fourteen",
        15: "fifteen",
        16: "sixteen",
        17: "seventeen",
    }
    return words[n] if rng.random() < 0.2 else str(n)


def adult_age(rng: random.Random) -> str:
    return str(rng.randrange(19, 71))


def any_small_number(rng: random.Random) -> str:
    return str(rng.randrange(2, 60))


def grade(rng: random.Random) -> str:
    return rng.choice(("6th", "7th", "8th", "9th", "10th", "sixth", "seventh", "eighth", "ninth"))


def year(rng: random.Random) -> str:
    return str(rng.randrange(1975, 2025))


def score(rng: random.Random) -> str:
    return f"{rng.randrange(0, 6)}-{rng.randrange(0, 6)}"


def big_score(rng: random.Random) -> str:
    return f"{rng.randrange(70, 130)}-{rng.randrange(70, 130)}"


def tokens(rng: random.Random) -> str:
    return str(rng.choice((5, 10, 15, 20, 25, 50, 75, 100, 150, 200, 250, 500, 1000)))


def time_of_day(rng: random.Random) -> str:
    return rng.choice(("9pm", "10pm", "8:30", "11 pm", "noon", "midnight", "7am", "6:45"))
