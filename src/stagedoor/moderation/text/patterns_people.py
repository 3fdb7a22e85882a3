"""Rules about people: minors at risk, doxxing, harassment (see ``vocab`` for the anchors)."""

from __future__ import annotations

from typing import Final

from stagedoor.moderation.text.vocab import (
    _I_AM,
    _INSULT_ADJ,
    _INSULT_NOUN,
    _MINOR_N,
    _NOT_AGE_AFTER,
    _THIRD,
    _YOU,
    _YOUR,
    INSULT_ADJ_TOKENS,
    Pattern,
)

__all__ = ["DOXXING", "HARASSMENT", "MINOR_RISK"]

MINOR_RISK: Final[tuple[Pattern, ...]] = (
    Pattern(
        "minor_risk",
        "age_statement",
        "im i'm am iam m | #d",
        "ck",
        (
            rf"\b{_I_AM}\s*(?:only\s+|just\s+|like\s+|barely\s+|almost\s+|literally\s+|still\s+|actually"
            rf"\s+)?{_MINOR_N}\b{_NOT_AGE_AFTER}",
        ),
    ),
    Pattern(
        "minor_risk",
        "you_minor",
        "you're youre ur r are you'r | #d",
        "ck",
        (
            rf"\b(?:{_YOU}'?re|{_YOU}\s+are|ur|u\s+r)\s+(?:only\s+|just\s+|like\s+|really"
            rf"\s+)?{_MINOR_N}\b{_NOT_AGE_AFTER}",
        ),
    ),
    Pattern(
        "minor_risk",
        "age_yo",
        "yo y years yrs old | #d",
        "ck",
        (
            rf"(?:^|\b(?:im|i'm|i\s+am|me|just|only|am|other|like|act\s+like\s+a|a)\s+){_MINOR_N}\s?(?:yo|y/o|y\.o"
            r"|yrs?\s+old|years?\s+old)\b",
        ),
    ),
    Pattern(
        "minor_risk",
        "age_will_be",
        "turn be | #d",
        "ck",
        (rf"\b(?:i\s+turn|i'?ll\s+be|ill\s+be|i\s+will\s+be)\s+{_MINOR_N}\b{_NOT_AGE_AFTER}",),
    ),
    Pattern(
        "minor_risk",
        "age_asl",
        "asl age here looking bored | #d",
        "ck",
        (
            r"\b(?:asl|age)\s*[:?]?\s*(?:1[0-7])\s*[/ ]?\s*[fm]\b",
            r"\b(?:1[0-7])\s?[fm]\s+(?:here|looking|bored)\b",
        ),
    ),
    Pattern(
        "minor_risk",
        "underage_self",
        "minor underage under 18 eighteen legal adult",
        "ck",
        (
            rf"\b{_I_AM}\s+(?:not\s+(?:18|eighteen|legal)\s+yet|under\s*(?:18|eighteen|age)|a\s+minor|underage"
            r"|under\s+age|not\s+an\s+adult)",
        ),
    ),
    Pattern(
        "minor_risk",
        "grade_self",
        "grade grader",
        "ck",
        (
            rf"\b{_I_AM}\s+(?:only\s+|just\s+|still\s+)?(?:in|a)\s+(?:the\s+)?(?:[5-9]|1[0-2]|fifth|sixth|seventh"
            r"|eighth|ninth|tenth|eleventh)(?:th|st|nd|rd)?\s*(?:grade|grader)\b",
            r"\bi\s+(?:just\s+)?(?:started|finished|failed|passed|have|had|hate)\s+(?:my\s+)?(?:[5-9]|10|sixth"
            r"|seventh|eighth|ninth|tenth)(?:th)?\s+grade\b",
        ),
    ),
    Pattern(
        "minor_risk",
        "school_self",
        "school year freshman sophomore schooler",
        "ck",
        (
            rf"\b{_I_AM}\s+(?:only\s+|just\s+|still\s+)?in\s+(?:middle\s+school|junior\s+high|high\s+school|year"
            r"\s+(?:[7-9]|1[01]))\b(?!\s+(?:teacher|staff|nurse|office|admin|band|reunion))",
            rf"\b{_I_AM}\s+a\s+(?:freshman|sophomore)\s+in\s+high\s+school",
            rf"\b{_I_AM}\s+a\s+middle\s+schooler",
            r"\bmiddle\s+school(?:er)?\s+here",
        ),
    ),
    Pattern(
        "minor_risk",
        "ask_grade",
        "grade school really",
        "ck",
        (
            rf"\b(?:what|which|wat)\s+grade\s+(?:are|r)\s+{_YOU}\s+in\b",
            rf"\bwhat\s+school\s+do\s+{_YOU}\s+go\s+to\b",
            rf"\bhow\s+old\s+(?:are|r)\s+{_YOU}\s+really\b",
        ),
    ),
    Pattern(
        "minor_risk",
        "secrecy",
        "tell delete hide secret",
        "ck",
        (
            rf"\bdon'?t\s+tell\s+{_YOUR}\s+(?:mom|mum|mother|dad|father|parents|family|teacher)",
            r"\b(?:delete|hide)\s+(?:our|these|the|this|all)\s+(?:chats?|messages|msgs|texts|convo)\s+(?:so"
            rf"|before)\s+{_YOUR}\s+(?:mom|mum|parents|dad)",
            r"\bkeep\s+(?:it|this)\s+(?:our|a)\s+(?:little\s+)?secret\b",
        ),
    ),
    Pattern(
        "minor_risk",
        "meet_minor",
        "school alone",
        "ck",
        (
            rf"\bpick\s+{_YOU}\s+up\s+(?:after|from)\s+school\b",
            rf"\bmeet\s+(?:{_YOU}|me)\s+after\s+school\b",
            rf"\b(?:are|r)\s+{_YOU}\s+home\s+alone\b",
        ),
    ),
    Pattern(
        "minor_risk",
        "roleplay_minor",
        "pretend roleplay role rp act say",
        "ck",
        (
            rf"\b(?:pretend|roleplay|role\s?play|rp)\b.{{0,30}}?(?:\b{_MINOR_N}\b|underage|a\s+minor|kid|child"
            r"|middle\s+school|schoolgirl|school\s+girl|years?\s+younger)",
            rf"\bact\s+(?:younger|like\s+(?:a\s+)?{_MINOR_N}\b|underage)",
            rf"\bsay\s+{_YOU}(?:'re|\s+are|r)\s+(?:{_MINOR_N}|underage)\b",
        ),
    ),
    Pattern(
        "minor_risk",
        "age_here",
        "here age aged olds | #d",
        "ck",
        (
            rf"(?:^|\b(?:age|aged)\s*[:=]?\s*){_MINOR_N}\s+(?:here|yo)\b",
            rf"\b{_MINOR_N}\s?(?:yo|y/o|years?\s+old)\s+here\b",
            rf"\b(?:any|other)\s+(?:other\s+)?{_MINOR_N}\s*(?:yo|y/o|year\s+olds?)\b",
        ),
    ),
    Pattern(
        "minor_risk",
        "age_and_meet",
        "old school",
        "ck",
        (
            rf"\bhow\s+old\s+(?:are|r)\s+{_YOU}\b.{{0,60}}\b(?:meet|school|class|classes|young|parents|mom|secret"
            rf"|pick\s+{_YOU}\s+up)",
            rf"\b(?:meet|pick\s+{_YOU}\s+up)\b.{{0,60}}\bhow\s+old\s+(?:are|r)\s+{_YOU}\b",
            rf"\bmeet\b.{{0,30}}\bafter\s+{_YOUR}\s+(?:school|classes|class)\b",
            rf"\b(?:what'?s|whats|what\s+is)\s+{_YOUR}\s+school\b",
        ),
    ),
    Pattern(
        "minor_risk",
        "likes_young",
        "young younger under",
        "ck",
        (
            r"\bi\s+(?:like|love|prefer)\s+(?:them\s+|girls\s+|boys\s+)?(?:young|younger)\b",
            r"\b(?:younger|young)\s+(?:girls|boys)\b.{0,20}\b(?:1[0-7]|perfect|best)",
            r"\bunder\s*(?:1[0-8]|age)\s+(?:is\s+)?(?:fine|ok|okay|allowed|welcome)\b",
            r"\b(?:any|are\s+there\s+any)\s+(?:girls|boys|kids|people)?\s*under\s*(?:18|16|age)\b",
        ),
    ),
    Pattern(
        "minor_risk",
        "looks_young",
        "look",
        "ck",
        (
            rf"\b{_YOU}\s+look\s+(?:like\s+(?:{_YOU}'?re|{_YOU}\s+are|a)\s+)?{_MINOR_N}\b(?!\s*(?:years?"
            r"\s+younger))",
            rf"\blook\s+like\s+{_YOU}'?r?e?\s+(?:in\s+)?(?:middle\s+school|a\s+(?:kid|child))",
            r"\blook\s+like\s+a\s+(?:[5-9]|1[0-2]|sixth|seventh|eighth|ninth)(?:th)?\s+grader",
        ),
    ),
    Pattern(
        "minor_risk",
        "parents_dont_know",
        "mom mum dad parents mother father school snuck",
        "ck",
        (
            r"\bmy\s+(?:mom|mum|dad|parents|mother|father)\s+(?:thinks?\s+i'?m|would\s+(?:freak|kill\s+me)"
            r"|doesn'?t\s+know|don'?t\s+know|can'?t\s+know|will\s+kill\s+me)\b",
            r"\bschool\s+(?:tomorrow|in\s+the\s+morning)\b.{0,40}\b(?:im|i'm|i\s+am)\b",
            r"\bsnuck\s+on\s+my\s+(?:mom|mum|dad|parents|brother|sister)'?s?\b",
        ),
    ),
    Pattern(
        "minor_risk",
        "minor_in_room",
        "friend sister brother cousin daughter son niece nephew kid kids",
        "ck",
        (
            r"\b(?:friend|sister|brother|cousin|daughter|son|niece|nephew|kid)\s+(?:is|'s)\s+(?:only"
            rf"\s+)?{_MINOR_N}\b.{{0,40}}\b(?:stream|cam|room|here|watch|join|show|chat)",
            rf"\b(?:bring|put|get)\s+(?:{_YOUR}|her|the)\s+(?:little\s+)?(?:sister|daughter|niece|kid|son|brother"
            r"|cousin)\s+(?:on\s+cam|on\s+stream|in\s+here|here)\b",
            rf"\b{_YOUR}\s+(?:daughter|little\s+sister|niece|kids?)\b.{{0,40}}\b(?:on\s+(?:stream|cam)|how\s+old)",
            rf"\b{_MINOR_N}\s?(?:yo|y/o|year\s?old)\s+(?:sister|brother|cousin|friend|daughter|son)\s+(?:is\s+|are"
            r"\s+)?(?:watching|here|in\s+here|with\s+me)",
        ),
    ),
)


DOXXING: Final[tuple[Pattern, ...]] = (
    Pattern(
        "doxxing",
        "know_where",
        "know",
        "kc",
        (
            rf"\bi\s+know\s+where\s+(?:{_YOU}|she|he|they|her|him)\s+(?:live|lives|work|works|sleep|sleeps|stay"
            r"|stays|park)",
        ),
    ),
    Pattern(
        "doxxing",
        "real_name",
        "name",
        "kc",
        (
            rf"\b{_THIRD}\s+(?:real|legal|full|actual|government)\s+(?:first\s+|last\s+|full\s+)?name\s+(?:is|=|:)",
            r"\b(?:real|legal)\s+name\s*[:=]",
            rf"\bi\s+know\s+{_THIRD}\s+(?:real|legal|full)\s+name",
        ),
    ),
    Pattern(
        "doxxing",
        "third_party_detail",
        "address workplace employer plate number school",
        "kc",
        (
            rf"\b{_THIRD}\s+(?:home\s+|house\s+)?(?:address|workplace|employer|license\s+plate|car\s+plate|plate"
            r"|phone\s+number|number|school|kids'?\s+school)\s+(?:is|=|:)",
        ),
    ),
    Pattern(
        "doxxing",
        "plate",
        "plate",
        "kc",
        (
            r"\b(?:license|licence|car|number)\s+plate\s*(?:is|:|number"
            r"|no\.?)?\s*[a-z0-9]{2,4}\s?[a-z0-9]{2,4}\b",
            r"\bplate\s*(?:number\s*)?[:#]?\s*(?=\S*\d)[a-z0-9]{2,4}\s?[a-z0-9]{2,4}\b",
        ),
    ),
    Pattern(
        "doxxing",
        "found_info",
        "found tracked know have got",
        "kc",
        (
            rf"\bi\s+(?:found|tracked|know|have|got)\s+(?:out\s+)?{_THIRD}\s+(?:home\s+)?(?:address|house|home"
            r"|workplace|real\s+name|legal\s+name|ip|location|family|parents|school|kids|building|apartment"
            r"|personal\s+info)",
        ),
    ),
    Pattern(
        "doxxing",
        "followed",
        "home ip",
        "kc",
        (
            rf"\b(?:followed|tracked|traced)\s+(?:{_YOU}|her|him)\s+home\b",
            rf"\btracked\s+{_THIRD}\s+ip\b",
            rf"\btraced\s+{_THIRD}\s+ip\b",
        ),
    ),
    Pattern(
        "doxxing",
        "leak",
        "leak leaks leaked leaking post posts posted posting share shared sharing dox doxx doxxed doxxing "
        "doxing publish published publishing expose exposed exposing drop drops dropping dropped",
        "kc",
        (
            r"\b(?:leak|post|share|dox|doxx|publish|expose|drop)\w*\s+(?:her|his|their|the\s+performer'?s?"
            rf"|{_YOUR}\s+(?:home\s+)?address)\s+(?:home\s+)?(?:address|info|details|real\s+name|personal|number"
            r"|identity)",
        ),
    ),
    Pattern(
        "doxxing",
        "outing",
        "tell call email message text inform show send",
        "kc",
        (
            r"\b(?:i'?ll|i\s+will|i'?m\s+(?:going\s+to|gonna)|let'?s|we\s+should|or\s+i)\s+(?:tell|call|email"
            rf"|message|text|inform|show|send\s+this\s+to)\s+(?:{_YOUR}|her|his)\s+(?:family|parents|mom|mum|dad"
            r"|boss|husband|wife|kids|employer|coworkers|neighbou?rs|landlord)\b",
            rf"\btell\s+(?:{_YOUR}|her|his)\s+(?:family|parents|boss|husband|wife|employer|coworkers|neighbou?rs)"
            r"\s+(?:what|about|everything)\b",
        ),
    ),
    Pattern(
        "doxxing",
        "location_known",
        "know ip lives",
        "kc",
        (
            r"\bi\s+know\s+(?:what|which|where)\s+(?:building|house|street|town|city|apartment|neighbou?rhood"
            rf"|school|gym|office)\s+(?:{_YOU}|she|he)\b",
            rf"\b(?:got|have|know|found|traced|tracked)\s+{_THIRD}\s+ip\b",
            r"\b(?:she|he)\s+lives\s+(?:at|on|in|near|by)\b",
            rf"\bi\s+know\s+{_THIRD}\s+(?:boss|car|schedule|neighbou?rs|family|parents|kids|husband|wife|workplace"
            r"|address|employer|landlord|coworkers|street)\b",
        ),
    ),
    Pattern(
        "doxxing",
        "workplace",
        "works working",
        "kc",
        (r"\b(?:she|he)(?:'s|\s+is)?\s+(?:works|working)\s+(?:\w+\s+){0,2}(?:at|for)\b",),
    ),
    Pattern(
        "doxxing",
        "stalking",
        "saw seen watched spotted followed waiting pictures photos pics videos video",
        "kc",
        (
            rf"\b(?:saw|seen|watched|spotted|followed)\s+(?:{_YOU}|her|him)\s+(?:leave|leaving|at|outside|enter"
            r"|entering|near|walking|in\s+the\s+parking)\b",
            rf"\bi'?ll\s+be\s+waiting\s+(?:for\s+(?:{_YOU}|her)\s+)?(?:outside|at|near|by)\b",
            rf"\bi\s+have\s+(?:pictures|photos|pics|videos?)\s+of\s+{_THIRD}\s+(?:house|home|car|kids|family"
            r"|street|building|door)",
        ),
    ),
    Pattern(
        "doxxing",
        "name_lookup",
        "look google search",
        "kc",
        (
            r"\b(?:look\s+up|google|search(?:\s+for)?)\s+[a-z]+\s+[a-z]+\b.{0,40}\b(?:that'?s\s+(?:her|him)|"
            r"(?:her|his)\s+(?:real|legal)\s+name|real\s+name)",
        ),
    ),
    Pattern(
        "doxxing",
        "which_school",
        "school",
        "kc",
        (rf"\bi\s+know\s+(?:which|what)\s+school\s+{_YOUR}\s+(?:kids|children|son|daughter)",),
    ),
)


HARASSMENT: Final[tuple[Pattern, ...]] = (
    Pattern(
        "harassment",
        "self_harm",
        "self yourself urself kys die bleach jump nobody alive should disappear vanish breathing end rot "
        "choke drown better",
        "k",
        (
            rf"\b(?:kill|hang|cut|hurt|off)\s+(?:{_YOUR}|ur|you)\s*self\b",
            r"\bkys\b",
            r"\bgo\s+(?:and\s+)?die\b",
            r"\bdie\s+already\b",
            r"\b(?:drink|swallow)\s+bleach\b",
            r"\bjump\s+off\s+a\s+(?:bridge|building|cliff|roof)\b",
            rf"\bnobody\s+would\s+(?:miss|care\s+if)\s+{_YOU}\b",
            rf"\bwhy\s+are\s+{_YOU}\s+(?:even\s+)?alive\b",
            rf"\b{_YOU}\s+should\s+(?:just\s+)?(?:die|end\s+it|disappear\s+forever|not\s+exist|kill)",
            r"\b(?:disappear|vanish)\s+forever\b",
            r"\bstop\s+breathing\b",
            r"\bend\s+(?:yourself|urself|your\s+life)\b",
            r"\bgo\s+(?:rot|choke|drown)\b",
            r"\b(?:world|everyone|everybody|we|this\s+site|chat)\s+(?:would\s+be|is|'?d\s+be)\s+better\s+(?:off"
            rf"\s+)?without\s+{_YOU}\b",
        ),
    ),
    Pattern(
        "harassment",
        "threat",
        "kill hurt stab shoot beat murder slap punch strangle choke burn end break back hope find hell "
        "suffer die bleed rot make hunt",
        "k",
        (
            r"\bi(?:'?ll|\s+will|'?m\s+(?:going\s+to|gonna)|\s+am\s+(?:going\s+to|gonna)|\s+gonna|\s+wanna|"
            rf"\s+want\s+to)\s+(?:find\s+{_YOU}\s+and\s+)?(?:kill|hurt|stab|shoot|beat|murder|slap|punch|strangle"
            rf"|choke|burn|end|break)\s+(?:{_YOU}|{_YOUR}|her|him)\b",
            rf"\bwatch\s+{_YOUR}\s+back\b",
            rf"\bbetter\s+hope\s+i\s+(?:never\s+)?(?:find|see|catch)\s+{_YOU}",
            rf"\bi(?:'?ll|\s+will)\s+(?:find\s+{_YOU}|make\s+{_YOUR}\s+life\s+hell)",
            rf"\bburn\s+{_YOUR}\s+house\b",
            rf"\bi'?d\s+(?:slap|punch|hit|kill)\s+{_YOU}\b",
            rf"\bhope\s+(?:{_YOU}|{_YOUR}\s+\w+)\s+(?:die|dies|get\s+hit|suffer|rot|get\s+cancer|burn|choke|drown"
            r"|crash|lose\s+everything)",
            rf"\bsee\s+{_YOU}\s+(?:suffer|die|bleed|burn|rot)\b",
            rf"\bwhen\s+i\s+find\s+{_YOU}\b",
            rf"\bi(?:'?ll|\s+will|'?m\s+(?:going\s+to|gonna)|\s+am\s+(?:going\s+to|gonna))\s+make\s+{_YOU}\s+"
            r"(?:cry|bleed|suffer|pay|regret)",
            rf"\bi(?:'?ll|\s+will)\s+hunt\s+{_YOU}",
        ),
    ),
    Pattern(
        "harassment",
        "insult",
        "idiot moron loser pig cow freak creep trash garbage scum parasite rat clown failure waste piece "
        "joke dumbass imbecile cretin leech maggot slob hag troll shut stfu",
        "k",
        (
            rf"\b(?:{_YOU}'?re|youre|{_YOU}\s+are|ur|u\s+r|{_YOU})\s+(?:a|an|such\s+a|so|the)?\s*(?:"
            rf"(?:{_INSULT_ADJ}|little|fucking|\w+est)\s+)*{_INSULT_NOUN}\b",
            rf"\bshut\s+{_YOUR}\s+(?:mouth|face|trap)\b",
            rf"\b(?:shut\s+up|stfu)\b.{{0,20}}?\b(?:{_INSULT_ADJ}|{_INSULT_NOUN})\b",
            rf"\b{_INSULT_ADJ}\s+{_INSULT_NOUN}\b",
            rf"[,:]\s*(?:{_YOU}\s+)?(?:{_INSULT_ADJ}\s+)*{_INSULT_NOUN}\s*(?:[.!?]|\b(?:lol|haha|lmao|xx|rn|pls"
            r"|ok)\b|$)",
            rf"\b(?:this|that)\s+(?:{_INSULT_ADJ}\s+)*(?:idiot|moron|loser|pig|freak|creep|scum|clown|slob|rat"
            r"|failure|dumbass)\b",
        ),
    ),
    Pattern(
        "harassment",
        "contempt",
        "nobody no everyone deserve until till til make have belong",
        "k",
        (
            rf"\b(?:nobody|no\s+(?:one|1))\s+(?:likes|cares\s+about|wants|asked)\s*{_YOU}?\b",
            rf"\beveryone\s+(?:here\s+)?(?:hates|laughs\s+at)\s+{_YOU}\b",
            rf"\b{_YOU}\s+deserve\s+to\s+(?:suffer|die|rot)",
            rf"\b(?:until|till|til)\s+(?:she|he|they|{_YOU})\s+(?:cries|cry|quits?|leaves?|breaks?\s+down|kills)",
            rf"\b{_YOU}\s+make\s+me\s+(?:sick|puke|vomit)\b",
            rf"\b{_YOU}\s+have\s+no\s+(?:talent|friends|life|future|worth|value)\b",
            rf"\b{_YOU}\s+belong\s+in\s+(?:the\s+|a\s+)?(?:trash|garbage|gutter|dumpster|sewer)",
        ),
    ),
    Pattern(
        "harassment",
        "contempt",
        f"{INSULT_ADJ_TOKENS}",
        "k",
        (
            rf"\b{_YOU}'?re\s+(?:so\s+)?(?:ugly|worthless|disgusting|pathetic)\b",
            rf"\b(?:is|she'?s|he'?s|{_YOU}'?re|ur)\s+so\s+{_INSULT_ADJ}\b(?!\s+(?:good|talented))",
        ),
    ),
)
