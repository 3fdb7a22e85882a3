"""Roles and what each may do. One table, read by the API's permission checks and the grid test."""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    VIEWER = "viewer", "Viewer"
    PERFORMER = "performer", "Performer"
    CHAT_HOST = "chat_host", "Chat host"
    MODERATOR = "moderator", "Moderator"
    SUPPORT_L1 = "support_l1", "Support tier 1"
    SUPPORT_L2 = "support_l2", "Support tier 2"
    FINANCE = "finance", "Finance"
    COMPLIANCE = "compliance", "Compliance"
    ADMIN = "admin", "Administrator"


STAFF_ROLES = frozenset({Role.MODERATOR, Role.SUPPORT_L1, Role.SUPPORT_L2, Role.FINANCE, Role.COMPLIANCE, Role.ADMIN})
# Two-factor is required for everyone who can act on other people or earn money.
MFA_REQUIRED_ROLES = frozenset(set(Role) - {Role.VIEWER})


class Perm:
    PERFORMER_APPLY = "performer.apply"
    PERFORMER_REVIEW = "performer.review"
    USERS_READ = "users.read"
    USERS_UNLOCK = "users.unlock"
    USERS_SET_ROLE = "users.set_role"
    AUDIT_READ = "audit.read"
    ROOM_MANAGE = "room.manage"
    TOKENS_BUY = "wallet.tokens_buy"
    TIP_SEND = "wallet.tip_send"
    TIP_PANEL_MANAGE = "wallet.tip_panel_manage"
    EARNINGS_READ = "wallet.earnings_read"
    WALLET_READ_ANY = "wallet.read_any"
    LEDGER_READ = "wallet.ledger_read"
    PACKAGES_MANAGE = "wallet.packages_manage"
    MONEY_REFUND = "wallet.refund"
    PROMO_GRANT = "wallet.promo_grant"
    STREAM_MANAGE = "streaming.stream_manage"
    STREAMS_READ_ANY = "streaming.streams_read_any"
    PURCHASES_READ_ANY = "payments.purchases_read_any"  # any user's purchases: support answers "I paid but…"
    CHAT_MODERATE_ANY = "chat.moderate_any"  # moderate every room's chat and appoint its chat hosts
    # trust & safety
    MODERATION_REVIEW = "moderation.review"  # claim and decide cases in the review queue
    MODERATION_SUPERVISE = "moderation.supervise"  # every queue, rebalance, moderators' load and exposure
    MODERATION_READ_ALL = "moderation.read_all"  # read every case, decision, report and appeal
    MODERATION_HASHLISTS = "moderation.hashlists_manage"  # load and edit perceptual-hash lists
    TRANSPARENCY_READ = "moderation.transparency_read"  # transparency reports and their exports
    # identity and age
    VERIFICATION_DOCUMENTS_VIEW = "verification.documents_view"  # open ID documents (every view audited)
    VERIFICATION_STATUS_READ = "verification.status_read"  # a person's verification status, never documents
    RECORDS_EXPORT = "verification.records_export"  # custodian-of-records view and export
    AGE_POLICY_MANAGE = "verification.age_policy_manage"  # the viewer age-assurance policy by jurisdiction
    RECOVERY_START = "verification.recovery_start"  # start an identity-checked account recovery
    COPERFORMERS_MANAGE = "verification.coperformers_manage"  # declare who else is on camera
    # shows, fan clubs, private messages
    SHOW_JOIN = "shows.join"  # request a private show, join a group show, buy a ticket, spy
    SHOW_HOST = "shows.host"  # set show prices, accept/decline, start/end shows, broadcast from the browser
    SHOWS_READ_ANY = "shows.read_any"  # any show, its participants and billed minutes (support, finance)
    FANCLUB_JOIN = "fans.join"  # subscribe to a performer's fan club; read fan posts
    FANCLUB_MANAGE = "fans.manage"  # run one's own fan club: price, posts
    MESSAGES_SEND = "fans.messages_send"  # private messages between fans and performers
    # payouts, KYC/AML, dashboards
    PAYOUT_DETAILS_MANAGE = "payouts.details_manage"  # one's own payout method and details (performers)
    PAYOUTS_MANAGE = "payouts.manage"  # payout runs, files, approvals, reconciliation (finance)
    SANCTIONS_REVIEW = "payouts.sanctions_review"  # load sanctions lists, clear or confirm screening matches
    FINANCE_DASHBOARD = "analytics.finance_dashboard"  # platform money dashboards (gross sales, liabilities…)
    SURVEYS_MANAGE = "analytics.surveys_manage"  # write, publish and close surveys; read their results
    SENTIMENT_READ_ANY = "analytics.sentiment_read_any"  # every room's chat sentiment trend (never per message)
    # the support desk
    SUPPORT_AGENT = "support.agent"  # work the support queues one may see: reply, escalate, close, the timeline
    SUPPORT_QUEUE_L2 = "support.queue_l2"  # the tier-2 queue (escalations)
    SUPPORT_QUEUE_FINANCE = "support.queue_finance"  # the finance specialists' queue (billing disputes)
    SUPPORT_QUEUE_COMPLIANCE = "support.queue_compliance"  # the compliance specialists' queue (verification)
    SUPPORT_MANAGE = "support.manage"  # macros, help articles, satisfaction results per agent
    # data-subject requests, retention, legal holds
    PRIVACY_REQUESTS_MANAGE = "privacy.requests_manage"  # the request queue, requests received by e-mail, retention
    LEGAL_HOLDS_MANAGE = "privacy.legal_holds_manage"  # place and release legal holds on accounts and cases
    # events, contests, badges
    COMMUNITY_MANAGE = "community.manage"  # announce and cancel events and themed nights, run and cancel contests
    # advertising
    ADS_MANAGE = "ads.manage"  # advertisers, campaigns, creatives, targeting, budgets (staff sell and set up ads)
    ADS_REPORTS_READ = "ads.reports_read"  # every campaign's report: impressions, clicks, spend (finance, admins)
    # affiliates
    AFFILIATES_MANAGE = "affiliates.manage"  # affiliates, commission plans; release or void held commissions
    # outgoing webhooks
    WEBHOOKS_MANAGE = "webhooks.manage"  # one's own endpoints: a performer's room, tips, fans, shows, payouts
    WEBHOOKS_SITE_MANAGE = "webhooks.site_manage"  # the operator's site-wide endpoints (every performer's events)


CAPABILITIES: dict[str, frozenset[str]] = {
    Role.VIEWER: frozenset(
        {Perm.PERFORMER_APPLY, Perm.TOKENS_BUY, Perm.TIP_SEND} | {Perm.SHOW_JOIN, Perm.FANCLUB_JOIN, Perm.MESSAGES_SEND}
    ),
    Role.PERFORMER: frozenset(
        {Perm.ROOM_MANAGE, Perm.TOKENS_BUY, Perm.TIP_SEND, Perm.TIP_PANEL_MANAGE, Perm.EARNINGS_READ}
        | {Perm.STREAM_MANAGE, Perm.COPERFORMERS_MANAGE}
        | {Perm.SHOW_HOST, Perm.FANCLUB_MANAGE, Perm.MESSAGES_SEND, Perm.PAYOUT_DETAILS_MANAGE}
        | {Perm.WEBHOOKS_MANAGE}
    ),
    Role.CHAT_HOST: frozenset(
        {Perm.PERFORMER_APPLY, Perm.TOKENS_BUY, Perm.TIP_SEND} | {Perm.SHOW_JOIN, Perm.FANCLUB_JOIN, Perm.MESSAGES_SEND}
    ),
    Role.MODERATOR: frozenset(
        {Perm.USERS_READ, Perm.STREAMS_READ_ANY, Perm.CHAT_MODERATE_ANY, Perm.MODERATION_REVIEW}
        | {Perm.VERIFICATION_STATUS_READ, Perm.SENTIMENT_READ_ANY}
    ),
    # Support sees purchases and streams on air (read-only) to answer "I paid but…" and "the stream stutters".
    Role.SUPPORT_L1: frozenset(
        {Perm.USERS_READ, Perm.PURCHASES_READ_ANY, Perm.STREAMS_READ_ANY}
        | {Perm.VERIFICATION_STATUS_READ, Perm.RECOVERY_START, Perm.SUPPORT_AGENT}
    ),
    Role.SUPPORT_L2: frozenset(
        {Perm.USERS_READ, Perm.USERS_UNLOCK, Perm.WALLET_READ_ANY, Perm.PURCHASES_READ_ANY, Perm.STREAMS_READ_ANY}
        | {Perm.VERIFICATION_STATUS_READ, Perm.RECOVERY_START, Perm.SHOWS_READ_ANY}
        | {Perm.SUPPORT_AGENT, Perm.SUPPORT_QUEUE_L2, Perm.SUPPORT_MANAGE}
        | {Perm.SURVEYS_MANAGE}
    ),
    Role.FINANCE: frozenset(
        {
            Perm.USERS_READ,
            Perm.WALLET_READ_ANY,
            Perm.LEDGER_READ,
            Perm.PACKAGES_MANAGE,
            Perm.MONEY_REFUND,
            Perm.PROMO_GRANT,
            Perm.PURCHASES_READ_ANY,
            Perm.SHOWS_READ_ANY,
            Perm.PAYOUTS_MANAGE,
            Perm.SANCTIONS_REVIEW,
            Perm.FINANCE_DASHBOARD,
            Perm.SUPPORT_AGENT,
            Perm.SUPPORT_QUEUE_FINANCE,
            Perm.ADS_REPORTS_READ,
            Perm.AFFILIATES_MANAGE,
        }
    ),
    # Compliance reads everything in trust & safety, decides verifications and keeps the records.
    Role.COMPLIANCE: frozenset(
        {Perm.USERS_READ, Perm.PERFORMER_REVIEW, Perm.AUDIT_READ, Perm.STREAMS_READ_ANY}
        | {Perm.MODERATION_READ_ALL, Perm.MODERATION_HASHLISTS, Perm.TRANSPARENCY_READ}
        | {Perm.VERIFICATION_DOCUMENTS_VIEW, Perm.VERIFICATION_STATUS_READ, Perm.RECORDS_EXPORT}
        | {Perm.AGE_POLICY_MANAGE, Perm.SANCTIONS_REVIEW}
        | {Perm.SUPPORT_AGENT, Perm.SUPPORT_QUEUE_COMPLIANCE}
        | {Perm.PRIVACY_REQUESTS_MANAGE, Perm.LEGAL_HOLDS_MANAGE}
    ),
    Role.ADMIN: frozenset(
        {Perm.USERS_READ, Perm.USERS_UNLOCK, Perm.USERS_SET_ROLE, Perm.PERFORMER_REVIEW, Perm.AUDIT_READ}
        | {Perm.TOKENS_BUY, Perm.TIP_SEND, Perm.TIP_PANEL_MANAGE, Perm.EARNINGS_READ, Perm.WALLET_READ_ANY}
        | {Perm.LEDGER_READ, Perm.PACKAGES_MANAGE, Perm.MONEY_REFUND, Perm.PROMO_GRANT}
        | {Perm.STREAMS_READ_ANY, Perm.CHAT_MODERATE_ANY, Perm.PURCHASES_READ_ANY}
        # supervisors of trust & safety; documents stay with compliance
        | {Perm.MODERATION_REVIEW, Perm.MODERATION_SUPERVISE, Perm.MODERATION_READ_ALL, Perm.MODERATION_HASHLISTS}
        | {Perm.TRANSPARENCY_READ, Perm.VERIFICATION_STATUS_READ, Perm.AGE_POLICY_MANAGE, Perm.RECOVERY_START}
        | {Perm.SHOWS_READ_ANY, Perm.FINANCE_DASHBOARD}
        | {Perm.SUPPORT_AGENT, Perm.SUPPORT_QUEUE_L2, Perm.SUPPORT_QUEUE_FINANCE, Perm.SUPPORT_QUEUE_COMPLIANCE}
        | {Perm.SUPPORT_MANAGE, Perm.PRIVACY_REQUESTS_MANAGE}
        | {Perm.SURVEYS_MANAGE, Perm.SENTIMENT_READ_ANY}
        | {Perm.COMMUNITY_MANAGE}
        | {Perm.ADS_MANAGE, Perm.ADS_REPORTS_READ}
        | {Perm.AFFILIATES_MANAGE}
        | {Perm.WEBHOOKS_SITE_MANAGE}
    ),
}


def role_has(role: str, perm: str) -> bool:
    return perm in CAPABILITIES.get(role, frozenset())
