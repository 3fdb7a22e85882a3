"""A second held-out batch, written after the rules and the model were tuned: every template
here goes to the held-out split only.

The first held-out batch (every fourth template of ``templates_risk`` and
``templates_benign``) was inspected during development, and rules were generalised from its
errors; this batch was measured without being tuned for. Its first measurement exposed one
normalisation bug (a spelled-out age glued to the article before it: "a one three"), which was
fixed; its remaining miss ("i'm a kid, is this site ok for kids?") was left as it is.
"""

from __future__ import annotations

from typing import Final

FRESH: Final[dict[str, tuple[str, ...]]] = {
    "benign": (
        "my grandson turned {minor_age} yesterday, time flies",
        "this album dropped when i was {minor_age}, still a banger",
        "@{handle} good call on that song",
        "i teach high school chemistry, grading all weekend",
        "the {team} lost {score}, brutal",
        "snapping pics of the sunset from my balcony",
        "hello hello from {country}, first stream in a while",
        "you're hilarious, best part of my week",
        "tips are flowing tonight, {tokens} more to the goal",
        "i'll be {adult_age} in june, getting old",
    ),
    "minor_risk": (
        "i'm only in {grade} grade but i love your music",
        "how old r u? you look like you're still in school",
        "my mom is asleep so i snuck on, i'm {minor_age}",
        "we could meet after your school lets out, don't tell anyone",
        "can you pretend you're a {minor_age} year old for the next song",
        "i'm a kid, is this site ok for kids?",
    ),
    "off_platform": (
        "message me on {platform}, name is {handle}",
        "i'm cheaper on {pay_app}, {cashtag}",
        "ring me on {phone} tonight",
        "{platform} handle {at_handle}, talk there",
        "mail me: {email}",
        "send the tip to my {crypto} wallet instead: {crypto_addr}",
    ),
    "scam": (
        "stagedoor admin team: confirm your password at {link} or lose your account",
        "congrats, you won 2000 tokens! claim now {link}",
        "send me {tokens} tokens and i'll send you {tokens2} tomorrow",
        "i'm the site's payment agent, give me your card details for a refund",
        "my investment club pays 20% weekly, dm to join",
        "your account is locked, verify your identity at {link}",
    ),
    "doxxing": (
        "i know where she lives, it's on {street}",
        "her legal name is {full_name}, i looked it up",
        "she lives near {employer} in {town}",
        "i know your address, {address}",
        "posting her real name: {full_name}",
        "i'll email your boss at {employer} about this",
    ),
    "harassment": (
        "you disgusting {insult_noun}, get lost",
        "i will hurt you if i ever see you",
        "just die, nobody cares about you",
        "go kill yourself {insult_noun}",
        "you're pathetic, everyone here hates you",
        "i'm going to find you and make you pay",
    ),
}
