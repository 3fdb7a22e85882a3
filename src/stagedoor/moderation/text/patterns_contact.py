"""Rules about money and contact: scams, moving off the platform (see ``vocab`` for the anchors)."""

from __future__ import annotations

from typing import Final

from stagedoor.moderation.text.vocab import (
    _CRYPTO,
    _GIFT_CARDS,
    _INTENT,
    _PAY_APPS,
    _PLATFORMS,
    _YOUR,
    PLATFORM_TOKENS,
    Pattern,
)

__all__ = ["OFF_PLATFORM", "SCAM"]

SCAM: Final[tuple[Pattern, ...]] = (
    Pattern(
        "scam",
        "fake_staff",
        "support staff admin administrator moderator security billing verification compliance trust",
        "k",
        (
            r"\b(?:this\s+is|i'?m|i\s+am|im|we\s+are|we'?re|from|with)\s+(?:the\s+|a\s+|an\s+)?(?:official\s+"
            r"|verified\s+)?(?:stagedoor\s+|site\s+|platform\s+)?(?:support|staff|admin|administrator|moderator"
            r"|security|billing|verification|compliance|trust\s+(?:and|&)\s+safety)(?:\s+team|\s+member|"
            r"\s+department|\s+agent)?\b.{0,80}?\b(?:verify|re-?verify|password|passcode|login|log\s+in|code"
            r"|card|bank|details|confirm|click|link|id\b|suspend|ban|lock|fee)",
        ),
    ),
    Pattern(
        "scam",
        "staff_tag",
        "staff admin official support moderator system",
        "k",
        (
            r"^\W*(?:[\[(](?:staff|admin|official|support|moderator|system)[\])]|(?:staff|admin|official|support"
            r"|moderator|system)\s*[:!\-])\s*.{0,60}?\b(?:verify|re-?verify|password|suspend|banned|locked"
            r"|flagged|click|confirm)",
        ),
    ),
    Pattern(
        "scam",
        "account_threat",
        "account profile payout balance key card",
        "k",
        (
            r"\b(?:account|profile|payout|balance|stream\s+key|card)\s+(?:is|will\s+be|has\s+been|was|got|gets"
            r"|are)\s+(?:flagged|suspended|locked|banned|on\s+hold|frozen|closed|deactivated|leaked|compromised"
            r"|declined|terminated).{0,60}?\b(?:verify|click|confirm|send|enter|reset|log\s+in|login|re-?enter"
            r"|upload|pay|visit|here|link|unless)",
        ),
    ),
    Pattern(
        "scam",
        "credentials",
        "password pass passcode login log 2fa otp code card bank pin",
        "k",
        (
            r"(?<!never )(?<!don't )(?<!dont )(?<!not )\b(?:send|give|tell|dm|share|confirm|enter|type|message)"
            rf"\s+(?:me\s+|us\s+)?(?:{_YOUR}\s+)(?:password|pass|passcode|login|log\s+in|2fa|otp|verification"
            r"\s+code|security\s+code|card\s+number|card\s+details|bank\s+details|pin|account\s+email\s+and"
            r"\s+password|email\s+and\s+password)",
            r"\b(?:tell|send|give)\s+me\s+the\s+code\s+(?:we|i)\s+(?:just\s+)?(?:sent|texted)",
        ),
    ),
    Pattern(
        "scam",
        "send_to_unlock",
        "tokens token tks tk fee",
        "k",
        (
            r"\b(?:send|give|transfer)\s+(?:me\s+)?\d+\s*(?:tokens?|tks?|tk)\s+(?:to\s+me\s+)?(?:to|and)\s+"
            r"(?:unlock|get\s+\d+|receive|win|double)",
            r"\b(?:pay|send)\s+the\s+(?:unlock|release|recovery)\s+fee\b",
        ),
    ),
    Pattern(
        "scam",
        "double_money",
        "double back giving",
        "k",
        (
            rf"\bdouble\s+(?:{_YOUR}|the|it|them)\s*(?:tokens|money|cash|btc|bitcoin|eth|crypto|coins"
            rf"|investment)?\b.{{0,40}}(?:send|guarantee|hour|back|wallet)",
            rf"\bsend\s+(?:me\s+)?\d*\.?\d+\s*(?:{_CRYPTO}|tokens?)?\s*(?:and\s+)?(?:get|receive)\s+\d*\.?\d+\s*"
            rf"(?:{_CRYPTO}|tokens?)?\s*back\b",
            rf"\bgiving\s+away\s+{_CRYPTO}",
        ),
    ),
    Pattern(
        "scam",
        "returns",
        "guaranteed daily weekly monthly turned #%",
        "k",
        (
            r"\b(?:guaranteed|daily|weekly|monthly)\s+(?:returns?|profits?|income)\b",
            r"\b\d+\s*%\s+(?:daily|weekly|every\s+(?:day|week)|returns?|profit)",
            r"\bturned\s+\$?\d+\s*k?\s+into\s+\$?\d+",
        ),
    ),
    Pattern(
        "scam",
        "free_tokens",
        "tokens token glitch",
        "k",
        (
            r"\b(?:free|unlimited|bonus)\s+\d*\s*tokens?\b.{0,40}?(?:click|link|claim|visit|generator|glitch"
            r"|hack|log\s+in|login|here|at\b|password|code)",
            r"\btoken\s+(?:generator|hack|glitch)",
            r"\bglitch\s+that\s+gives",
        ),
    ),
    Pattern(
        "scam",
        "recovery",
        "recover recovered recovering recovery restore restored unban unbanned unlock unlocked back",
        "k",
        (
            rf"\b(?:recover|restore|unban|unlock|get\s+back)\w*\s+(?:{_YOUR}\s+)?(?:hacked|banned|lost|deleted"
            rf"|frozen|locked)?\s*(?:account|tokens|balance|profile)s?\b.{{0,60}}?(?:fee|dm|message|contact"
            r"|service|cheap|fast|pay|specialist|for\s+\d)",
            r"\b(?:account\s+)?recovery\s+(?:specialist|service|expert)",
        ),
    ),
    Pattern(
        "scam",
        "token_resale",
        "tokens token",
        "k",
        (
            r"\b(?:buy|sell|selling)\w*\s+(?:you\s+)?(?:\d+\s+)?(?:cheap\s+)?tokens?\b.{0,40}(?:cheap|off\b"
            r"|discount|direct|from\s+me|for\s+\$|pay\s+me)",
            r"\bcheap\s+tokens\b",
        ),
    ),
    Pattern(
        "scam",
        "investment",
        "invest invested investing investment investments make trading mining",
        "k",
        (
            r"\binvest\w*\b.{0,40}(?:\d+\s*x\b|%|returns?|profits?|double|triple|guarantee)",
            r"\bmake\s+\$?\d[\d,]*\s*k?\s+(?:a|per|every)\s+(?:day|week|month)\b",
            r"\btrading\s+signals\b",
            r"\bmining\s+pool\b",
        ),
    ),
    Pattern(
        "scam",
        "tips_to_me",
        "collect collecting tokens token tks tip recovered restored unlocked unbanned",
        "k",
        (
            r"\bcollect\w*\s+(?:the\s+)?(?:tips|tokens|money)\s+for\s+(?:her|him|the\s+performer|the\s+model)",
            r"\b(?:pay|send|tip)\s+(?:me\s+)?\d+\s*(?:tokens?|tks?)\s+(?:to\s+(?:join|get\s+into|enter)|for\s+"
            r"(?:my|a|the)\s+(?:vip|secret|private)\s+(?:list|group|link|club))",
            r"\btip\s+me\b.{0,30}\b(?:back|double|triple)\b",
            r"\b(?:hacked|banned|lost|locked)\s+accounts?\s+(?:recovered|restored|unlocked|unbanned)",
            r"\bunbanned\s+for\s+\d+",
        ),
    ),
    Pattern(
        "scam",
        "giveaway",
        "first giveaway give winner prize raffle",
        "k",
        (
            r"\bfirst\s+\d+\s+(?:people|viewers|users|fans|guys)\s+(?:to|who)\s+(?:send|tip|pay|click)",
            r"\b(?:giveaway|give\s+away|winner|prize|raffle)\b.{0,60}?\b(?:send|click|claim|first\s+\d+|link|dm"
            r"|visit|enter)",
        ),
    ),
)


OFF_PLATFORM: Final[tuple[Pattern, ...]] = (
    Pattern(
        "off_platform",
        "platform_intent",
        f"{PLATFORM_TOKENS}",
        "k",
        (
            rf"\b{_INTENT}\s+(?:me|us|him|her|them)?\s*(?:on|at|via|in|over|thru|through|to)?\s*(?:my"
            rf"\s+)?{_PLATFORMS}\b(?!\s+(?:is\s+down|a\s+photo|a\s+pic|peas|of\s+(?:the|a)))",
        ),
    ),
    Pattern(
        "off_platform",
        "platform_id",
        f"{PLATFORM_TOKENS}",
        "k",
        (
            rf"\b(?:i'?m|im|i\s+am|find\s+me|me)\s+on\s+{_PLATFORMS}\s+(?:as|@|:|->)",
            rf"\b(?:ask\s+(?:me\s+)?for|get)\s+my\s+{_PLATFORMS}\b",
            rf"\b(?:my|our|her|his)\s+{_PLATFORMS}\s*(?:is|=|:|->|@|id|name|handle|username|account|user|acc"
            r"|channel|group|server|link)",
            rf"\b{_PLATFORMS}\s*(?:id|handle|username|user|name)?\s*(?:[:=]|->)\s*@?[a-z0-9_.]{{3,}}",
            rf"\b{_PLATFORMS}\s+(?:id|handle|username|user)\s+@?[a-z0-9_.]{{3,}}",
            rf"\b{_PLATFORMS}\s+is\s+better\b",
            r"\b(?:snap|snapchat|kik|whatsapp|telegram|insta|instagram|wickr)\s+me\b",
            rf"\b{_PLATFORMS}\s+me\s+(?:at|@|on)\s+@?[a-z0-9_.]{{3,}}",
            rf"\b{_PLATFORMS}\s+@[a-z0-9_.]{{3,}}",
        ),
    ),
    Pattern(
        "off_platform",
        "search_handle",
        f"{PLATFORM_TOKENS}",
        "k",
        (
            r"\b(?:search|look\s+up|look\s+for|find)\s+(?:for\s+)?(?:me\s+)?@?[a-z0-9_.]+(?:\s+[a-z0-9_.]+)?\s+"
            rf"(?:on|in)\s+{_PLATFORMS}\b",
        ),
    ),
    Pattern(
        "off_platform",
        "ask_contact",
        f"{PLATFORM_TOKENS} number digits addy email e mail cell phone",
        "k",
        (
            rf"\b(?:what'?s|whats|wats|give\s+me|drop|send\s+me|can\s+i\s+(?:get|have))\s+{_YOUR}\s+"
            rf"(?:{_PLATFORMS}|number|digits|addy|email|e-mail|cell|phone)\b",
            rf"\bdrop\s+{_YOUR}\s+(?:number|digits)\b",
        ),
    ),
    Pattern(
        "off_platform",
        "pay_app",
        "cashapp cash app venmo paypal pay pal zelle revolut skrill apple google western union money "
        "moneygram gram chime wise paysafe paysafecard cashtag tag direct directly outside off",
        "k",
        (
            r"\b(?:pay|send|tip|paid|venmo|cash|transfer|sending)\s+(?:me|it|them|tips?|money|the\s+money"
            rf"|directly|direct)?\s*(?:on|via|through|thru|to|with|in|at|over)\s+(?:my\s+)?{_PAY_APPS}\b",
            rf"\b(?:my|our)\s+{_PAY_APPS}\s*(?:is|=|:|@|->|tag|name|handle|id)",
            rf"\b{_PAY_APPS}\s*(?:[:=@]|->|me\b|tag\b|only\b|is\s+\$)",
            r"\b(?:pay|tip|send)\s+(?:me\s+)?(?:direct(?:ly)?|outside|off\s+(?:the\s+)?(?:site|platform))",
        ),
    ),
    Pattern(
        "off_platform",
        "gift_card",
        "card cards amazon steam itunes apple google visa sephora ebay xbox playstation psn vanilla "
        "target walmart gift giftcard giftcards",
        "k",
        (
            rf"\b(?:send|buy|get)\s+(?:me\s+)?(?:an?\s+)?{_GIFT_CARDS}",
            rf"\b(?:accept|take|want|prefer)\w*\s+(?:\w+\s+)?{_GIFT_CARDS}",
            rf"{_GIFT_CARDS}\s+(?:codes?|for\s+(?:a\s+|the\s+)?(?:private|custom|show|video|pics?|session|call)|only|accepted|preferred|works)",
            r"\bgift\s+card\s+codes?\b",
        ),
    ),
    Pattern(
        "off_platform",
        "crypto_pay",
        "btc bitcoin eth ethereum usdt tether crypto ltc litecoin monero xmr sol solana doge dogecoin",
        "k",
        (
            rf"\b(?:send|pay|tip|transfer)\s+(?:me\s+)?(?:in\s+|some\s+|the\s+)?{_CRYPTO}\b",
            rf"\b(?:my|the|our)\s+{_CRYPTO}\s+(?:wallet|address|addy)\b",
            rf"\b{_CRYPTO}\s+(?:wallet|address|addy)\s*[:=]",
        ),
    ),
    Pattern(
        "off_platform",
        "off_site",
        "site platform stagedoor",
        "k",
        (
            r"\b(?:skip|avoid|dodge)\s+(?:the\s+)?(?:site|platform|stagedoor)(?:'?s)?\s+(?:fees?|cut)",
            r"\b(?:outside|off)\s+(?:of\s+)?(?:the\s+)?(?:site|platform|stagedoor)\b.{0,40}(?:pay|cheaper"
            r"|private|talk|meet|contact)",
        ),
    ),
)
