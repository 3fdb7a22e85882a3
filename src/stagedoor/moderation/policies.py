"""The fixed tables trust & safety decides by: categories, policy codes, actions, SLAs.

A case has a *category* (what the machine or the reporter says is wrong); a moderator decides it
under a *policy code* (what rule it broke, on which legal or contractual ground) with an *action*
the policy allows. The statement of reasons the affected person receives (DSA Art. 17) is written
from the policy's row, and the transparency export speaks the DSA Transparency Database's values.

Settings (SLAs, appeal window, exposure cap…) come from `core.config.ModerationCasesConfig`, read on
every call through :func:`cases_config` so tests can override `settings.STAGEDOOR`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Final

from django.conf import settings

from stagedoor.core.config import ModerationCasesConfig

# --- severities and SLAs -----------------------------------------------------------------------------------

CRITICAL: Final = "critical"
HIGH: Final = "high"
MEDIUM: Final = "medium"
LOW: Final = "low"
SEVERITIES: Final = (CRITICAL, HIGH, MEDIUM, LOW)
SEVERITY_RANK: Final = {CRITICAL: 0, HIGH: 1, MEDIUM: 2, LOW: 3}


def cases_config() -> ModerationCasesConfig:
    config: ModerationCasesConfig = settings.STAGEDOOR.moderation_cases
    return config


def sla_for(severity: str) -> timedelta:
    c = cases_config()
    minutes = {CRITICAL: c.sla_critical_min, HIGH: c.sla_high_min, MEDIUM: c.sla_medium_min, LOW: c.sla_low_min}
    return timedelta(minutes=minutes[severity])


def worse(a: str, b: str) -> str:
    """The more severe of two severities."""
    return a if SEVERITY_RANK[a] <= SEVERITY_RANK[b] else b


# --- categories ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Category:
    code: str
    title: str
    severity: str  # the default severity of a case in this category
    graphic: bool  # media or descriptions that wear on the people who review them (exposure is counted)
    reportable: bool  # offered to people filing a report


CATEGORIES: Final[dict[str, Category]] = {
    c.code: c
    for c in (
        Category("minor_risk", "A minor at risk (sexualising, grooming, under-age)", CRITICAL, True, True),
        Category("prohibited_content", "Known prohibited content (hash list)", CRITICAL, True, False),
        Category("non_consensual", "Shared without consent / leaked content", HIGH, True, True),
        Category("removed_content", "Content removed before, shown again", HIGH, True, False),
        Category("room_policy", "Breaks the room's content policy", MEDIUM, True, False),
        Category("violence", "Violence or self-harm", HIGH, True, True),
        Category("doxxing", "Revealing someone's identity or location", HIGH, False, True),
        Category("scam", "Scam, phishing or fake staff", HIGH, False, True),
        Category("harassment", "Harassment, threats or hate", MEDIUM, False, True),
        Category("off_platform", "Moving payment or contact off the platform", MEDIUM, False, True),
        Category("impersonation", "Impersonation", MEDIUM, False, True),
        Category("spam", "Spam", LOW, False, True),
        Category("other", "Something else", LOW, False, True),
    )
}
REPORT_REASONS: Final = tuple(c.code for c in CATEGORIES.values() if c.reportable)


def category_of(code: str) -> Category:
    return CATEGORIES.get(code, CATEGORIES["other"])


def is_graphic(category: str) -> bool:
    return category_of(category).graphic


# --- actions ------------------------------------------------------------------------------------------------

DISMISS: Final = "dismiss"
DELETE_MESSAGE: Final = "delete_message"
TIMEOUT: Final = "timeout"
BAN_FROM_ROOM: Final = "ban_from_room"
SUSPEND_ACCOUNT: Final = "suspend_account"
END_STREAM: Final = "end_stream"
REQUEST_VERIFICATION: Final = "request_verification"  # the performer must prove identity and age again
ESCALATE: Final = "escalate"
REVERSE: Final = "reverse"  # only an upheld appeal records it

ACTIONS: Final = (
    DISMISS,
    DELETE_MESSAGE,
    TIMEOUT,
    BAN_FROM_ROOM,
    SUSPEND_ACCOUNT,
    END_STREAM,
    REQUEST_VERIFICATION,
    ESCALATE,
)
ACTION_TITLES: Final = {
    DISMISS: "No action",
    DELETE_MESSAGE: "Message removed",
    TIMEOUT: "Timed out of the room's chat",
    BAN_FROM_ROOM: "Banned from the room",
    SUSPEND_ACCOUNT: "Account suspended",
    END_STREAM: "Broadcast ended",
    REQUEST_VERIFICATION: "Identity and age check requested",
    ESCALATE: "Escalated to a supervisor",
    REVERSE: "Decision reversed on appeal",
}
#: actions that restrict someone: each one sends a statement of reasons and can be appealed
RESTRICTIVE: Final = frozenset(
    {DELETE_MESSAGE, TIMEOUT, BAN_FROM_ROOM, SUSPEND_ACCOUNT, END_STREAM, REQUEST_VERIFICATION}
)
TIMEOUT_DEFAULT_SECONDS: Final = 600
TIMEOUT_MAX_SECONDS: Final = 86_400


# --- policy codes -------------------------------------------------------------------------------------------

ILLEGAL: Final = "DECISION_GROUND_ILLEGAL_CONTENT"
INCOMPATIBLE: Final = "DECISION_GROUND_INCOMPATIBLE_CONTENT"

_CHAT: Final = (DISMISS, DELETE_MESSAGE, TIMEOUT, BAN_FROM_ROOM, SUSPEND_ACCOUNT, ESCALATE)
_MEDIA: Final = (DISMISS, END_STREAM, SUSPEND_ACCOUNT, REQUEST_VERIFICATION, ESCALATE)


@dataclass(frozen=True, slots=True)
class Policy:
    code: str
    title: str
    category: str
    actions: tuple[str, ...]
    ground: str  # ILLEGAL or INCOMPATIBLE (DSA decision_ground)
    legal_ground: str  # the law relied on ("" for terms-only grounds)
    contractual_ground: str  # the section of the terms of service
    explanation: str  # why the content breaks it, for the statement of reasons
    dsa_category: str  # DSA Transparency Database STATEMENT_CATEGORY_*
    keyword: str  # DSA category_specification KEYWORD_*


TERMS = "Stagedoor Terms of Service"
POLICIES: Final[dict[str, Policy]] = {
    p.code: p
    for p in (
        Policy(
            "MIN-1",
            "Protection of minors",
            "minor_risk",
            (DISMISS, DELETE_MESSAGE, BAN_FROM_ROOM, SUSPEND_ACCOUNT, END_STREAM, REQUEST_VERIFICATION, ESCALATE),
            ILLEGAL,
            "Directive 2011/93/EU on combating the sexual abuse and sexual exploitation of children",
            f"{TERMS} §4.1 (minors)",
            "Content that sexualises, solicits or puts at risk a person under 18 is illegal and never allowed.",
            "STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
            "KEYWORD_GROOMING_SEXUAL_ENTICEMENT_MINORS",
        ),
        Policy(
            "HASH-1",
            "Known prohibited content",
            "prohibited_content",
            _MEDIA,
            ILLEGAL,
            "Directive 2011/93/EU; Regulation (EU) 2021/1232",
            f"{TERMS} §4.2 (prohibited content)",
            "The broadcast matched a list of known prohibited content.",
            "STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
            "KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL",
        ),
        Policy(
            "NCII-1",
            "Content shared without consent",
            "non_consensual",
            (DISMISS, DELETE_MESSAGE, END_STREAM, SUSPEND_ACCOUNT, ESCALATE),
            INCOMPATIBLE,
            "",
            f"{TERMS} §4.3 (consent of everyone shown)",
            "Content showing a person who did not consent to it being shared is not allowed.",
            "STATEMENT_CATEGORY_NON_CONSENSUAL_BEHAVIOUR",
            "KEYWORD_NON_CONSENSUAL_IMAGE_SHARING",
        ),
        Policy(
            "REUP-1",
            "Removed content shown again",
            "removed_content",
            _MEDIA,
            INCOMPATIBLE,
            "",
            f"{TERMS} §4.3 (removed content)",
            "Content removed after an earlier decision may not be broadcast again.",
            "STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE",
            "KEYWORD_OTHER",
        ),
        Policy(
            "ROOM-1",
            "Room content policy",
            "room_policy",
            (DISMISS, END_STREAM, SUSPEND_ACCOUNT, ESCALATE),
            INCOMPATIBLE,
            "",
            f"{TERMS} §5.2 (room settings and regional restrictions)",
            "The broadcast showed content the room's own settings or its regional restrictions exclude.",
            "STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE",
            "KEYWORD_NUDITY",
        ),
        Policy(
            "VIO-1",
            "Violence and self-harm",
            "violence",
            (DISMISS, DELETE_MESSAGE, END_STREAM, TIMEOUT, BAN_FROM_ROOM, SUSPEND_ACCOUNT, ESCALATE),
            INCOMPATIBLE,
            "",
            f"{TERMS} §4.5 (violence and self-harm)",
            "Content that shows, threatens or encourages violence or self-harm is not allowed.",
            "STATEMENT_CATEGORY_VIOLENCE",
            "KEYWORD_INCITEMENT_VIOLENCE_HATRED",
        ),
        Policy(
            "DOX-1",
            "Privacy of others",
            "doxxing",
            _CHAT,
            INCOMPATIBLE,
            "",
            f"{TERMS} §4.4 (privacy)",
            "Revealing a person's legal name, address, workplace or other identifying details is not allowed.",
            "STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS",
            "KEYWORD_OTHER",
        ),
        Policy(
            "SCAM-1",
            "Scams and fraud",
            "scam",
            _CHAT,
            INCOMPATIBLE,
            "",
            f"{TERMS} §4.6 (scams, fake staff and phishing)",
            "Fake staff, fake verification, phishing and 'send tokens to unlock' offers are not allowed.",
            "STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
            "KEYWORD_PHISHING",
        ),
        Policy(
            "HAR-1",
            "Harassment and hate",
            "harassment",
            _CHAT,
            INCOMPATIBLE,
            "",
            f"{TERMS} §4.7 (respect)",
            "Insults, slurs, threats and targeted abuse are not allowed.",
            "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
            "KEYWORD_HATE_SPEECH",
        ),
        Policy(
            "OFF-1",
            "Payments and contact stay on the platform",
            "off_platform",
            (DISMISS, DELETE_MESSAGE, TIMEOUT, BAN_FROM_ROOM, ESCALATE),
            INCOMPATIBLE,
            "",
            f"{TERMS} §6.1 (payments and contact on the platform)",
            "Moving payment or contact to other services is not allowed in rooms.",
            "STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE",
            "KEYWORD_GOODS_SERVICES_NOT_PERMITTED",
        ),
        Policy(
            "IMP-1",
            "Impersonation",
            "impersonation",
            (DISMISS, DELETE_MESSAGE, BAN_FROM_ROOM, SUSPEND_ACCOUNT, REQUEST_VERIFICATION, ESCALATE),
            INCOMPATIBLE,
            "",
            f"{TERMS} §4.8 (impersonation)",
            "Pretending to be another person, a performer or a member of staff is not allowed.",
            "STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
            "KEYWORD_IMPERSONATION_ACCOUNT_HIJACKING",
        ),
        Policy(
            "SPAM-1",
            "Spam",
            "spam",
            (DISMISS, DELETE_MESSAGE, TIMEOUT, BAN_FROM_ROOM, ESCALATE),
            INCOMPATIBLE,
            "",
            f"{TERMS} §6.2 (spam)",
            "Repeated, unsolicited or automated messages are not allowed.",
            "STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE",
            "KEYWORD_OTHER",
        ),
        Policy(
            "NONE-0",
            "No violation found",
            "other",
            (DISMISS,),
            INCOMPATIBLE,
            "",
            "",
            "The content does not break the rules.",
            "STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE",
            "KEYWORD_OTHER",
        ),
    )
}

#: the policy an automated decision uses for a hash-list kind
HASH_KIND_POLICY: Final = {"prohibited": "HASH-1", "leaked": "NCII-1", "removed": "REUP-1"}
HASH_KIND_CATEGORY: Final = {
    "prohibited": "prohibited_content",
    "leaked": "non_consensual",
    "removed": "removed_content",
}

# --- DSA Transparency Database values (statements of reasons) -------------------------------------------------

DSA_VISIBILITY: Final = {
    DELETE_MESSAGE: "DECISION_VISIBILITY_CONTENT_REMOVED",
    END_STREAM: "DECISION_VISIBILITY_CONTENT_DISABLED",
}
DSA_PROVISION: Final = {
    TIMEOUT: "DECISION_PROVISION_PARTIAL_SUSPENSION",
    BAN_FROM_ROOM: "DECISION_PROVISION_PARTIAL_TERMINATION",
    # broadcasting is suspended after the deadline unless the performer verifies again
    REQUEST_VERIFICATION: "DECISION_PROVISION_PARTIAL_SUSPENSION",
}
DSA_ACCOUNT: Final = {SUSPEND_ACCOUNT: "DECISION_ACCOUNT_SUSPENDED"}
# Decisions apply on the whole platform; the database asks for the EEA countries concerned.
EEA: Final = (
    "AT",
    "BE",
    "BG",
    "CY",
    "CZ",
    "DE",
    "DK",
    "EE",
    "ES",
    "FI",
    "FR",
    "GR",
    "HR",
    "HU",
    "IE",
    "IS",
    "IT",
    "LI",
    "LT",
    "LU",
    "LV",
    "MT",
    "NL",
    "NO",
    "PL",
    "PT",
    "RO",
    "SE",
    "SI",
    "SK",
)
SOURCE_NOTICE: Final = "SOURCE_ARTICLE_16"  # a user report (notice and action, DSA Art. 16)
SOURCE_VOLUNTARY: Final = "SOURCE_VOLUNTARY"  # the platform's own detection or staff


def redress_text() -> str:
    days = cases_config().appeal_days
    return (
        f"You can appeal this decision once, within {days} days, from the page 'Decisions about me' "
        "(internal complaint handling, DSA Art. 20); a different moderator reviews it. You may also turn to a "
        "certified out-of-court dispute settlement body (DSA Art. 21) or to the courts."
    )
