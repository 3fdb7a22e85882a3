"""The support desk's timeline providers (see core/timeline.py).

Each module reads one app's models read-only and turns its records into `TimelineEntry`s. They live here, not in
the apps, because the apps below support cannot be edited from this change (wallet, payouts) or import nothing
above them; an app that wants to contribute itself calls `register_timeline_provider` from its own `ready()`.
What each role may see is the provider's permission, checked by `timeline_for`:

| provider | permission | who |
|---|---|---|
| account, tickets, notes | support.agent | every agent |
| payments (purchases, refunds) | payments.purchases_read_any | L1, L2, finance, admin |
| wallet (tips sent and received, reversals) | wallet.read_any | L2, finance, admin |
| shows | shows.read_any | L2, finance, admin |
| moderation (cases, decisions, appeals, reports) | users.read | every agent |
| verification (status, never documents) | verification.status_read | L1, L2, compliance, admin |
| verification documents (kinds and dates, never the files) | verification.documents_view | compliance |
| streaming (stream sessions, live health) | streaming.streams_read_any | L1, L2, compliance, admin |
| payouts (method, masked) | wallet.read_any | L2, finance, admin — L1 sees none |
"""

from __future__ import annotations


def install() -> None:
    from stagedoor.accounts.roles import Perm
    from stagedoor.core.timeline import register_timeline_provider
    from stagedoor.support.providers import money, people, safety, streams, support_desk

    register_timeline_provider("account", people.account, perm=Perm.SUPPORT_AGENT, title="Account")
    register_timeline_provider("tickets", support_desk.tickets, perm=Perm.SUPPORT_AGENT, title="Support tickets")
    register_timeline_provider("notes", support_desk.notes, perm=Perm.SUPPORT_AGENT, title="Agents' notes")
    register_timeline_provider("onboarding", support_desk.onboarding, perm=Perm.SUPPORT_AGENT, title="Onboarding")
    register_timeline_provider("payments", money.purchases, perm=Perm.PURCHASES_READ_ANY, title="Purchases")
    register_timeline_provider("wallet", money.tips, perm=Perm.WALLET_READ_ANY, title="Tips")
    register_timeline_provider("shows", money.shows, perm=Perm.SHOWS_READ_ANY, title="Shows")
    register_timeline_provider("payouts", money.payout_methods, perm=Perm.WALLET_READ_ANY, title="Payout method")
    register_timeline_provider("moderation", safety.moderation, perm=Perm.USERS_READ, title="Moderation")
    register_timeline_provider(
        "verification", safety.verification, perm=Perm.VERIFICATION_STATUS_READ, title="Verification"
    )
    register_timeline_provider(
        "documents", safety.documents, perm=Perm.VERIFICATION_DOCUMENTS_VIEW, title="Verification documents"
    )
    register_timeline_provider("streaming", streams.sessions, perm=Perm.STREAMS_READ_ANY, title="Stream sessions")
