"""Commission rules: precedence, dates, products, promotions, tiers from the monthly job, the rule recorded on
every split (tips on both write paths, charges, holds), past splits untouched by a rule change, staff API."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from stagedoor.accounts.models import User
from stagedoor.core.errors import ValidationFailed
from stagedoor.core.ids import new_id
from stagedoor.core.models import AuditEntry
from stagedoor.wallet import codes, errors, selectors, services
from stagedoor.wallet.models import CommissionRule, CommissionState, LedgerTransfer, PerformerTerms, PerformerTier, Tip
from stagedoor.wallet.selectors.commission import period_start_of
from stagedoor.wallet.tests.conftest import fund_wallet, ledger_problems

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(make_user: Callable[..., Any], settings: Any) -> dict[str, Any]:
    settings.STAGEDOOR_WALLET_PERFORMER_SHARE_BP = 5000
    viewer = make_user("viewer")
    fund_wallet(viewer, 10_000)
    performer = make_user("performer")
    User.objects.filter(pk=performer.pk).update(date_joined=timezone.now() - timedelta(days=400))
    performer.refresh_from_db()
    return {"viewer": viewer, "performer": performer, "finance": make_user("finance")}


def rule(scene: dict[str, Any], kind: str, share_bp: int, **kw: Any) -> CommissionRule:
    return services.commission_rule_create(actor=scene["finance"], kind=kind, share_bp=share_bp, **kw)


def share(performer: Any, product: str = "tips", at: Any = None) -> tuple[int, str]:
    c = selectors.commission_for(performer.pk, product, at or timezone.now())
    return c.share_bp, c.rule_id


_n = iter(range(10_000))


def tip(scene: dict[str, Any], amount: int = 100, performer: Any = None) -> Tip:
    return services.tip_send(
        sender=scene["viewer"],
        performer=performer or scene["performer"],
        amount=amount,
        idempotency_key=f"commission-tip-{next(_n):05d}",
    )


def test_no_rule_is_the_configured_default_with_no_rule_recorded(scene: dict[str, Any]) -> None:
    assert share(scene["performer"]) == (5000, "")
    t = tip(scene, 101)
    assert (t.performer_amount, t.platform_amount) == (51, 50)
    assert t.transfer.data == {"performer": scene["performer"].pk, "rule": "", "share_bp": 5000}


def test_precedence_override_promo_product_tier_default(scene: dict[str, Any], make_user: Any) -> None:
    performer = scene["performer"]
    default = rule(scene, "default", 6000)
    tier = rule(scene, "tier", 6500, min_earned=0)
    product = rule(scene, "product", 7000, product="tips")
    override = rule(scene, "performer_override", 9000, performer=performer)
    promo = rule(scene, "promo_new_performer", 8000, new_within_days=30)
    newcomer = make_user("performer")

    assert share(performer) == (9000, override.pk)  # override beats everything
    assert share(newcomer) == (8000, promo.pk)  # a new performer: the promotion beats product and tier
    services.commission_rule_end(actor=scene["finance"], rule_id=override.pk)
    assert share(performer) == (7000, product.pk)  # an old account gets no promotion: the product rate
    assert share(performer, "shows") == (6500, tier.pk)  # no shows rate: the tier
    services.commission_rule_end(actor=scene["finance"], rule_id=tier.pk)
    assert share(performer, "shows") == (6000, default.pk)
    # ties: the most recent valid_from wins; a rule naming the product beats an all-products rule of its kind
    later = rule(scene, "default", 6100, valid_from=timezone.now() + timedelta(seconds=1))
    assert share(performer, "shows", timezone.now() + timedelta(seconds=2)) == (6100, later.pk)
    shows_default = rule(scene, "default", 5500, product="shows")
    assert share(performer, "shows", timezone.now() + timedelta(seconds=2)) == (5500, shows_default.pk)


def test_a_rule_applies_by_date(scene: dict[str, Any]) -> None:
    performer = scene["performer"]
    tomorrow = timezone.now() + timedelta(days=1)
    future = rule(scene, "default", 7000, valid_from=tomorrow)
    assert share(performer) == (5000, "")  # not yet
    assert share(performer, at=tomorrow + timedelta(seconds=1)) == (7000, future.pk)
    assert tip(scene, 10).performer_amount == 5
    now_rule = rule(scene, "default", 8000)
    assert tip(scene, 10).performer_amount == 8
    services.commission_rule_end(actor=scene["finance"], rule_id=now_rule.pk)
    t = tip(scene, 10)  # an ended rule stops
    assert (t.performer_amount, t.transfer.data["rule"]) == (5, "")
    with pytest.raises(errors.CommissionRuleEnded):
        services.commission_rule_end(actor=scene["finance"], rule_id=now_rule.pk)
    # a scheduled end: in force until then
    ending = rule(scene, "default", 6000, valid_to=tomorrow)
    assert share(performer) == (6000, ending.pk)
    assert share(performer, at=tomorrow) == (7000, future.pk)


def test_rules_never_start_or_end_in_the_past(scene: dict[str, Any]) -> None:
    past = timezone.now() - timedelta(hours=1)
    with pytest.raises(errors.CommissionInThePast):
        rule(scene, "default", 7000, valid_from=past)
    r = rule(scene, "default", 7000)
    with pytest.raises(errors.CommissionInThePast):
        services.commission_rule_end(actor=scene["finance"], rule_id=r.pk, at=past)
    assert CommissionRule.objects.get(pk=r.pk).valid_to is None


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"kind": "product", "share_bp": 5000}, "product"),
        ({"kind": "tier", "share_bp": 5000}, "min_earned"),
        ({"kind": "promo_new_performer", "share_bp": 5000, "new_within_days": 0}, "new_within_days"),
        ({"kind": "performer_override", "share_bp": 5000}, "performer_id"),
        ({"kind": "default", "share_bp": 10_001}, "share_bp"),
        ({"kind": "default", "share_bp": 5000, "min_earned": 3}, "min_earned"),
        ({"kind": "default", "share_bp": 5000, "product": "cars"}, "product"),
        ({"kind": "bonus", "share_bp": 5000}, "kind"),
    ],
)
def test_bad_rules_are_refused_and_nothing_is_written(scene: dict[str, Any], kw: dict[str, Any], field: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        services.commission_rule_create(actor=scene["finance"], **kw)
    assert field in exc.value.extra["fields"]
    assert not CommissionRule.objects.exists()


def test_per_product_rates_on_tips_charges_and_holds(scene: dict[str, Any]) -> None:
    viewer, performer = scene["viewer"], scene["performer"]
    shows = rule(scene, "product", 8000, product="shows")
    clubs = rule(scene, "product", 7000, product="fan_clubs")
    messages = rule(scene, "product", 6000, product="messages")
    assert tip(scene, 10).transfer.data["rule"] == ""  # no tips rate
    minute = services.charge(payer=viewer, payee=performer, amount=10, key="show:x:1", item="show_minute", ref="x")
    club = services.charge(payer=viewer, payee=performer, amount=10, key="fan:x:1", item="fanclub", ref="x")
    pm = services.charge(payer=viewer, payee=performer, amount=10, key="pm:x", item="message", ref="x")
    unlock = services.charge(payer=viewer, payee=performer, amount=10, key="unlock:x", item="unlock", ref="x")
    other = services.charge(payer=viewer, payee=performer, amount=10, key="other:x", item="sticker", ref="x")
    got = [
        (p.performer_amount, p.transfer.data["rule"], p.transfer.data["share_bp"]) for p in [minute, club, pm, unlock]
    ]
    assert got == [(8, shows.pk, 8000), (7, clubs.pk, 7000), (6, messages.pk, 6000), (6, messages.pk, 6000)]
    assert (other.performer_amount, other.transfer.data["rule"]) == (5, "")
    hold = services.hold_place(payer=viewer, payee=performer, amount=20, key="hold:x", item="show_ticket", ref="x")
    settled = services.hold_settle(hold=hold.transfer, capture=10)
    assert (settled.performer_amount, settled.transfer.data["rule"], settled.transfer.data["share_bp"]) == (
        8,
        shows.pk,
        8000,
    )
    released = services.hold_place(payer=viewer, payee=performer, amount=5, key="hold:y", item="show_hold", ref="y")
    assert "rule" not in services.hold_settle(hold=released.transfer, capture=0).transfer.data  # nothing split
    assert ledger_problems() == []


def test_promotion_for_new_performers_only_while_the_account_is_young(scene: dict[str, Any], make_user: Any) -> None:
    promo = rule(scene, "promo_new_performer", 9000, new_within_days=30, product="tips")
    young = make_user("performer")
    assert share(young) == (9000, promo.pk)
    assert share(young, at=young.date_joined + timedelta(days=30)) == (5000, "")  # 30 days old: over
    assert share(young, "shows") == (5000, "")  # the promotion is for tips
    assert share(scene["performer"]) == (5000, "")  # 400 days old
    t = tip(scene, 10, performer=young)
    assert (t.performer_amount, t.transfer.data["rule"]) == (9, promo.pk)
    charged = services.charge(payer=scene["viewer"], payee=young, amount=10, key="fan:y:1", item="fanclub", ref="y")
    assert charged.transfer.data["rule"] == ""


def test_tiers_come_from_the_monthly_job(scene: dict[str, Any], make_user: Any) -> None:
    performer = scene["performer"]
    small = make_user("performer")
    for _ in range(3):
        tip(scene, 100)  # 50 each at the default share: 150 earned this month
    tip(scene, 10, performer=small)  # 5 earned
    services.charge(payer=scene["viewer"], payee=performer, amount=20, key="show:t:1", item="show_minute", ref="t")
    base = rule(scene, "tier", 5500, min_earned=0)
    silver = rule(scene, "tier", 6000, min_earned=100)
    gold = rule(scene, "tier", 7000, min_earned=1000)
    next_month = period_start_of(period_start_of(timezone.now()) + timedelta(days=40))
    assert share(performer, at=next_month) == (5500, base.pk)  # the job has not run: nothing earned on record
    out = StringIO()
    call_command("wallet_tiers", "--period", next_month.strftime("%Y-%m"), stdout=out)
    assert out.getvalue().strip() == "OK 2 performer tier(s) stored"
    rows = {t.performer_id: (t.earned, t.rule_id) for t in PerformerTier.objects.filter(period_start=next_month)}
    assert rows == {performer.pk: (160, silver.pk), small.pk: (5, base.pk)}
    assert share(performer, at=next_month) == (6000, silver.pk)
    assert share(small, at=next_month) == (5500, base.pk)
    assert share(performer) == (5500, base.pk)  # this month: last month's earnings (none)
    assert services.commission_tiers_compute(period_start=next_month) == 0  # idempotent
    assert PerformerTier.objects.count() == 2
    assert gold.min_earned == 1000


def test_a_rule_change_leaves_past_splits_and_their_rule_untouched(scene: dict[str, Any]) -> None:
    first = rule(scene, "default", 6000)
    before = tip(scene, 100)
    charged = services.charge(
        payer=scene["viewer"], payee=scene["performer"], amount=100, key="show:c:1", item="show_minute", ref="c"
    )
    services.commission_rule_end(actor=scene["finance"], rule_id=first.pk)
    second = rule(scene, "default", 8000)
    after = tip(scene, 100)
    assert (after.performer_amount, after.transfer.data["rule"]) == (80, second.pk)
    again = Tip.objects.select_related("transfer").get(pk=before.pk)
    assert (again.performer_amount, again.platform_amount) == (60, 40)
    assert again.transfer.data == {"performer": scene["performer"].pk, "rule": first.pk, "share_bp": 6000}
    charge_row = LedgerTransfer.objects.get(pk=charged.transfer.pk)
    assert (charge_row.data["rule"], charge_row.data["performer_amount"]) == (first.pk, 60)
    kept = CommissionRule.objects.get(pk=first.pk)
    assert (kept.kind, kept.share_bp, kept.valid_from) == ("default", 6000, first.valid_from)
    assert sorted(e.amount for e in again.transfer.entries.all()) == [-100, 40, 60]
    assert ledger_problems() == []


def test_terms_api_creates_an_override_and_keeps_terms_readable(scene: dict[str, Any]) -> None:
    performer, finance = scene["performer"], scene["finance"]
    services.performer_terms_set(actor=finance, performer=performer, share_bp=8000)
    [first] = CommissionRule.objects.filter(kind="performer_override")
    services.performer_terms_set(actor=finance, performer=performer, share_bp=7500)
    assert PerformerTerms.objects.get(performer=performer).share_bp == 7500
    overrides = CommissionRule.objects.filter(kind="performer_override").order_by("created_at")
    assert [(r.share_bp, r.valid_to is None) for r in overrides] == [(8000, False), (7500, True)]
    assert overrides[0].pk == first.pk
    t = tip(scene, 100)
    assert (t.performer_amount, t.transfer.data["rule"]) == (75, overrides[1].pk)
    assert services.performer_share_bp(performer.pk) == 7500


def test_every_rule_change_is_audited(scene: dict[str, Any]) -> None:
    r = rule(scene, "default", 6000, note="launch")
    services.commission_rule_end(actor=scene["finance"], rule_id=r.pk)
    [created] = AuditEntry.objects.filter(action=codes.AUDIT_COMMISSION_CREATED)
    [ended] = AuditEntry.objects.filter(action=codes.AUDIT_COMMISSION_ENDED)
    assert (created.actor_id, created.target_id, created.data["share_bp"], created.data["note"]) == (
        scene["finance"].pk,
        r.pk,
        6000,
        "launch",
    )
    assert (ended.target_id, ended.data["before"]) == (r.pk, None)


def test_staff_api_lists_creates_and_ends_rules(scene: dict[str, Any], api_client: Callable[..., Any]) -> None:
    client = api_client(scene["finance"])
    performer = scene["performer"]
    resp = client.post(
        "/api/v1/staff/wallet/commission-rules",
        {"kind": "performer_override", "share_bp": 7000, "performer_id": performer.pk, "product": "tips"},
        content_type="application/json",
    )
    assert resp.status_code == 201, resp.content
    created = resp.json()
    assert (created["kind"], created["share_bp"], created["performer_id"], created["valid_to"]) == (
        "performer_override",
        7000,
        performer.pk,
        None,
    )
    assert tip(scene, 10).transfer.data["rule"] == created["id"]
    listed = client.get("/api/v1/staff/wallet/commission-rules").json()
    assert [r["id"] for r in listed] == [created["id"]]
    bad = client.post(
        "/api/v1/staff/wallet/commission-rules",
        {"kind": "default", "share_bp": 5000, "valid_from": "2000-01-01T00:00:00Z"},
        content_type="application/json",
    )
    assert (bad.status_code, bad.json()["code"]) == (422, "wallet.commission_in_the_past")
    ended = client.post(
        f"/api/v1/staff/wallet/commission-rules/{created['id']}/end", {}, content_type="application/json"
    )
    assert ended.status_code == 200 and ended.json()["valid_to"] is not None
    assert client.get("/api/v1/staff/wallet/commission-rules?include_ended=false").json() == []
    again = client.post(
        f"/api/v1/staff/wallet/commission-rules/{created['id']}/end", {}, content_type="application/json"
    )
    assert (again.status_code, again.json()["code"]) == (409, "wallet.commission_rule_ended")
    missing = client.post("/api/v1/staff/wallet/commission-rules/nope/end", {}, content_type="application/json")
    assert (missing.status_code, missing.json()["code"]) == (404, "wallet.commission_rule_not_found")
    assert tip(scene, 10).transfer.data["rule"] == ""


def test_a_rule_written_by_another_process_is_seen_once_the_stamp_is_rechecked(
    scene: dict[str, Any], settings: Any
) -> None:
    performer = scene["performer"]
    settings.STAGEDOOR_WALLET_COMMISSION_RECHECK_SECONDS = 3600
    assert share(performer) == (5000, "")  # loads the cache
    # what another process's `commission_rule_create` leaves in the database (this process's cache untouched)
    other = CommissionRule.objects.create(id=new_id(), kind="default", share_bp=7000, valid_from=timezone.now())
    CommissionState.objects.update_or_create(pk=1, defaults={"version": new_id()})
    assert share(performer) == (5000, "")  # cached, stamp not re-read yet
    settings.STAGEDOOR_WALLET_COMMISSION_RECHECK_SECONDS = 0
    assert share(performer) == (7000, other.pk)
