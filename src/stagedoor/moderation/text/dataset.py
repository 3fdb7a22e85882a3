"""The labelled chat data set: generated from templates, split by template, written as JSON lines.

``generate()`` fills each template's slots from ``SLOTS`` many times (seeded, so the same
lines come out on every run), disguises some slot values the way people dodge filters
(``obfuscate``), decorates lines the way chat is typed ("lol", "@someone", an emoji) and
drops duplicates. The split is by template: every fourth template of a category is held
out and never trained on, so held-out precision and recall measure unseen phrasings.

Files: ``data/train.jsonl`` and ``data/heldout.jsonl``, one ``{"text", "label",
"template", "obfuscation"}`` object per line.
"""

from __future__ import annotations

import json
import random
import string
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Final

from stagedoor.moderation.text import obfuscate as ob
from stagedoor.moderation.text import slots as sl
from stagedoor.moderation.text.templates_benign import BENIGN
from stagedoor.moderation.text.templates_fresh import FRESH
from stagedoor.moderation.text.templates_risk import DOXXING, HARASSMENT, MINOR_RISK, OFF_PLATFORM, SCAM

__all__ = ["LABELS", "TEMPLATES", "Example", "generate", "read_jsonl", "write_jsonl"]

BENIGN_LABEL: Final = "benign"
#: the model's classes, in the column order of its weights
LABELS: Final = ("benign", "minor_risk", "off_platform", "scam", "doxxing", "harassment")
TEMPLATES: Final[dict[str, tuple[str, ...]]] = {
    "benign": BENIGN,
    "minor_risk": MINOR_RISK,
    "off_platform": OFF_PLATFORM,
    "scam": SCAM,
    "doxxing": DOXXING,
    "harassment": HARASSMENT,
}
HELDOUT_EVERY: Final = 4  # template index % 4 == 3 -> held out
#: lines drawn per template (before duplicates are dropped)
PER_TEMPLATE: Final[dict[str, int]] = {
    "benign": 24,
    "minor_risk": 20,
    "off_platform": 20,
    "scam": 20,
    "doxxing": 20,
    "harassment": 20,
}
#: chance that a line gets a slot disguised (when it has a slot that can be)
OBFUSCATE_P: Final[dict[str, float]] = {
    "benign": 0.0,
    "minor_risk": 0.35,
    "off_platform": 0.6,
    "scam": 0.3,
    "doxxing": 0.25,
    "harassment": 0.4,
}
LINE_OBFUSCATE_P: Final = 0.06
DEFAULT_SEED: Final = 20260

SLOTS: Final[dict[str, sl.Filler]] = {
    "platform": sl.pick(
        "snapchat",
        "snap",
        "sc",
        "telegram",
        "tg",
        "whatsapp",
        "kik",
        "discord",
        "signal",
        "skype",
        "wickr",
        "wechat",
        "viber",
        "instagram",
        "insta",
        "ig",
        "twitter",
        "tiktok",
        "onlyfans",
        "fansly",
        "facebook",
    ),
    "pay_app": sl.pick(
        "cashapp", "cash app", "venmo", "paypal", "zelle", "revolut", "skrill", "apple pay", "western union", "chime"
    ),
    "gift_card": sl.pick(
        "amazon gift card",
        "steam card",
        "itunes card",
        "google play card",
        "visa gift card",
        "apple gift card",
        "sephora gift card",
        "xbox gift card",
    ),
    "crypto": sl.pick("btc", "bitcoin", "eth", "usdt", "crypto", "ltc", "monero", "solana"),
    "crypto_addr": sl.crypto_address,
    "handle": sl.handle,
    "at_handle": sl.at_handle,
    "cashtag": lambda rng: "$" + sl.handle(rng).replace(".", "").replace("_", ""),
    "email": sl.email,
    "phone": sl.phone,
    "link": sl.phishing_link,
    "tokens": sl.tokens,
    "tokens2": lambda rng: str(int(sl.tokens(rng)) * 2),
    "name": sl.first_name,
    "full_name": sl.full_name,
    "last_name": sl.pick(*sl.LAST_NAMES),
    "address": sl.street_address,
    "street": lambda rng: f"{rng.choice(sl.STREET_WORDS)} {rng.choice(sl.STREET_KINDS)}",
    "town": sl.pick(*sl.TOWNS),
    "employer": sl.pick(*sl.EMPLOYERS),
    "plate": sl.plate,
    "time": sl.time_of_day,
    "minor_age": sl.minor_age,
    "adult_age": sl.adult_age,
    "small_n": sl.any_small_number,
    "grade": sl.grade,
    "ukyear": sl.pick("7", "8", "9", "10"),
    "year": sl.year,
    "score": sl.score,
    "big_score": sl.big_score,
    "insult_adj": sl.pick(
        "stupid",
        "ugly",
        "worthless",
        "pathetic",
        "disgusting",
        "fat",
        "dumb",
        "useless",
        "brainless",
        "filthy",
        "miserable",
        "talentless",
        "gross",
        "hideous",
        "vile",
    ),
    "insult_noun": sl.pick(
        "idiot",
        "loser",
        "pig",
        "cow",
        "clown",
        "moron",
        "freak",
        "creep",
        "trash",
        "failure",
        "waste of space",
        "rat",
        "joke",
        "scum",
        "slob",
    ),
    "verb_benign": sl.pick("finish", "grab a snack", "get my headphones", "refresh", "guess", "think about it"),
    "benign_activity": sl.pick("take requests", "go live tomorrow", "do a q&a", "need a break", "change the song"),
    "benign_request": sl.pick("ask something", "request a song", "make a suggestion", "say something", "join in"),
    "topic": sl.pick("music", "movies", "the game", "books", "cooking", "travel", "gardening"),
    "benign_suggestion": sl.pick(
        "start a book club", "play more 80s songs", "try karaoke night", "stream on sundays", "get a second camera"
    ),
    "reaction": sl.pick("lol", "haha", "omg", "wow", "nice", "yay", "love it", "so good", "amazing", "aww"),
    "positive_adj": sl.pick(
        "talented", "funny", "sweet", "kind", "beautiful", "clever", "cute", "lovely", "brilliant", "chill", "cool"
    ),
    "positive_noun": sl.pick("legend", "star", "gem", "sweetheart", "pro", "genius", "natural", "queen", "champ"),
    "thing": sl.pick("hair", "dress", "necklace", "nails", "earrings", "top", "glasses", "makeup", "room decor"),
    "country": sl.pick(
        "Brazil",
        "Norway",
        "Mexico",
        "Japan",
        "India",
        "Germany",
        "Italy",
        "Chile",
        "Kenya",
        "Poland",
        "the Philippines",
        "Canada",
        "Portugal",
        "Morocco",
        "Ireland",
        "New Zealand",
        "Vietnam",
        "Turkey",
    ),
    "greeting": sl.pick(
        "hola",
        "bonjour",
        "hallo",
        "ciao",
        "ola",
        "namaste",
        "salam",
        "konnichiwa",
        "hej",
        "merhaba",
        "privet",
        "kia ora",
        "sawubona",
        "czesc",
        "hei",
        "xin chao",
    ),
    "weekday": sl.pick("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"),
    "team": sl.pick("Harbor Hawks", "Riverside Rovers", "Northgate FC", "Blue Herons", "Oakhaven United", "Comets"),
    "song": sl.pick(
        "the slow one from last week", "that old disco track", "something by a jazz trio", "the birthday song"
    ),
    "drink": sl.pick("coffee", "tea", "beer", "glass of wine", "soda", "hot chocolate"),
    "food": sl.pick("lasagna", "tacos", "curry", "pancakes", "ramen", "pie", "dumplings"),
    "pet": sl.pick("cat", "dog", "parrot", "bunny", "hamster"),
}

#: which slots may be disguised, and with which family of tricks
_WORD_SLOTS: Final = frozenset(
    {"platform", "pay_app", "crypto", "handle", "at_handle", "insult_noun", "insult_adj", "gift_card"}
)
_NUMBER_SLOTS: Final = frozenset({"phone", "minor_age"})
_EMAIL_SLOTS: Final = frozenset({"email"})
_PREFIXES: Final = (
    "",
    "",
    "",
    "",
    "hey ",
    "yo ",
    "omg ",
    "lol ",
    "ok ",
    "so ",
    "btw ",
    "listen ",
    "@{name} ",
    "hi all ",
)
_SUFFIXES: Final = ("", "", "", "", " lol", " haha", " 😘", " !!", " ...", " pls", " xx", " 🙂", " rn", " 😂", " ok?")


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    label: str
    template: str
    obfuscation: str = ""


def _slots_of(template: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(template) if name]


def _disguise(slot: str, value: str, rng: random.Random) -> tuple[str, str]:
    if slot in _EMAIL_SLOTS:  # "at" / "dot" is the classic, half of the time
        name = "at_dot" if rng.random() < 0.5 else rng.choice(sorted(ob.EMAIL_OBFUSCATIONS))
        return ob.EMAIL_OBFUSCATIONS[name](value, rng), name
    if slot in _NUMBER_SLOTS:
        if slot == "minor_age" and not value.isdigit():
            return value, ""
        name = rng.choice(sorted(ob.NUMBER_OBFUSCATIONS))
        return ob.NUMBER_OBFUSCATIONS[name](value, rng), name
    name = rng.choice(sorted(ob.WORD_OBFUSCATIONS))
    if slot == "at_handle":
        return "@" + ob.WORD_OBFUSCATIONS[name](value[1:], rng), name
    return ob.WORD_OBFUSCATIONS[name](value, rng), name


def _case(text: str, rng: random.Random) -> str:
    r = rng.random()
    if r < 0.55:
        return text.lower()
    if r < 0.6:
        return text.upper()
    if r < 0.75:
        return text[:1].upper() + text[1:]
    return text


def _render(label: str, template: str, rng: random.Random) -> tuple[str, str]:
    names = _slots_of(template)
    values = {n: SLOTS[n](rng) for n in names}
    trick = ""
    disguisable = [n for n in names if n in _WORD_SLOTS | _NUMBER_SLOTS | _EMAIL_SLOTS]
    if disguisable and rng.random() < OBFUSCATE_P[label]:
        slot = rng.choice(disguisable)
        values[slot], trick = _disguise(slot, values[slot], rng)
    line = template.format(**values)
    prefix = rng.choice(_PREFIXES).replace("{name}", SLOTS["name"](rng))
    line = _case(prefix + line + rng.choice(_SUFFIXES), rng)
    if not trick and rng.random() < LINE_OBFUSCATE_P:
        trick = rng.choice(sorted(ob.LINE_OBFUSCATIONS))
        line = ob.LINE_OBFUSCATIONS[trick](line, rng)
    return line, trick


def _template_id(label: str, index: int) -> str:
    return f"{label}.{index:03d}"


def is_heldout(template_id: str) -> bool:
    """Every fourth template, and every template of the fresh batch (``label.fNN``)."""
    tail = template_id.rsplit(".", 1)[1]
    return tail.startswith("f") or int(tail) % HELDOUT_EVERY == HELDOUT_EVERY - 1


def _all_templates(label: str) -> list[tuple[str, str]]:
    main = [(_template_id(label, i), t) for i, t in enumerate(TEMPLATES[label])]
    return main + [(f"{label}.f{i:02d}", t) for i, t in enumerate(FRESH[label])]


def generate(seed: int = DEFAULT_SEED) -> tuple[list[Example], list[Example]]:
    """(train, heldout), deterministic for a seed."""
    train: list[Example] = []
    heldout: list[Example] = []
    seen: set[str] = set()
    for label in LABELS:
        for tid, template in _all_templates(label):
            rng = random.Random(f"{seed}:{tid}")
            out = heldout if is_heldout(tid) else train
            wanted = PER_TEMPLATE[label]
            made = 0
            for _ in range(wanted * 4):
                if made >= wanted:
                    break
                text, trick = _render(label, template, rng)
                key = text.casefold()
                if key in seen:
                    continue
                seen.add(key)
                out.append(Example(text, label, tid, trick))
                made += 1
    random.Random(seed).shuffle(train)
    return train, heldout


def write_jsonl(path: Path, examples: Iterable[Example]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with path.open("w", encoding="utf-8") as fh:
        for ex in examples:
            fh.write(json.dumps(asdict(ex), ensure_ascii=False) + "\n")
            n += 1
    return n


def read_jsonl(path: Path) -> Iterator[Example]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                d = json.loads(line)
                yield Example(str(d["text"]), str(d["label"]), str(d["template"]), str(d.get("obfuscation", "")))
