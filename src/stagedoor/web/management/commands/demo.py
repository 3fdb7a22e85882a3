"""`stagedoor demo`: invented demo accounts of every role, with printed logins, and the data that lets a new
user walk the whole loop on a fresh install: token packages to buy, the demo performer's tip menu and a queue
of goals (the first one small enough for one purchase), a second performer who is offline with a schedule,
a few followers and some chat history.

Idempotent (`make run` runs it at every start): re-running keeps the accounts, prints the same credentials
(kept in `var/demo_credentials.json`) and adds only what is missing. Accounts whose role requires two-factor
get a TOTP secret; `stagedoor demo --code LOGIN` prints the current code for one of them.

It lives in `web` (above every app) because it writes through the services of accounts, rooms, wallet and chat.
"""

from __future__ import annotations

import json
import secrets
import time
from datetime import date, datetime, timedelta
from typing import Any

import pyotp
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone
from rich.console import Console
from rich.table import Table

from stagedoor.accounts.models import User
from stagedoor.accounts.roles import MFA_REQUIRED_ROLES, Role
from stagedoor.accounts.services import user_create
from stagedoor.ads import selectors as ads_selectors
from stagedoor.ads import services as ads_services
from stagedoor.affiliates import selectors as affiliate_selectors
from stagedoor.affiliates import services as affiliate_services
from stagedoor.chat.pipeline.sink import STATUS_HELD, ChatRecord
from stagedoor.chat.selectors import chat_recent_messages
from stagedoor.chat.services import chat_messages_write
from stagedoor.core.audit import audit_record
from stagedoor.core.ids import new_id
from stagedoor.fans import services as fans_services
from stagedoor.fans.models import FanClub, FanPost, Membership, Thread
from stagedoor.moderation import selectors as moderation_selectors
from stagedoor.moderation import services as moderation_services
from stagedoor.payouts import selectors as payout_selectors
from stagedoor.payouts import services as payout_services
from stagedoor.rooms import selectors as room_selectors
from stagedoor.rooms import services as room_services
from stagedoor.shows import services as show_services
from stagedoor.shows.models import Show, ShowKind, ShowStatus
from stagedoor.support import services as support_services
from stagedoor.support.models import Ticket
from stagedoor.verification import selectors as verification_selectors
from stagedoor.verification import services as verification_services
from stagedoor.wallet import selectors as wallet_selectors
from stagedoor.wallet import services as wallet_services
from stagedoor.wallet.models import TipGoal

ACTOR = "cli:demo"
PERFORMER = "demo_performer"  # the one `make run`'s synthetic broadcaster streams as (STAGEDOOR_DEMO_PERFORMER)
OFFLINE_PERFORMER = "demo_performer2"

DEMO_ACCOUNTS: list[tuple[str, str, str]] = [
    ("demo_viewer", Role.VIEWER, "Vera Viewer"),
    (PERFORMER, Role.PERFORMER, "Nova Starling"),
    (OFFLINE_PERFORMER, Role.PERFORMER, "Luna Vesper"),
    ("demo_chathost", Role.CHAT_HOST, "Hal Host"),
    ("demo_moderator", Role.MODERATOR, "Mona Moderator"),
    ("demo_support1", Role.SUPPORT_L1, "Sam Support"),
    ("demo_support2", Role.SUPPORT_L2, "Tia Tier-Two"),
    ("demo_finance", Role.FINANCE, "Fin Ledger"),
    ("demo_compliance", Role.COMPLIANCE, "Cora Compliance"),
    ("demo_admin", Role.ADMIN, "Ada Admin"),
]

# Invented prices. (name, tokens, price in cents)
PACKAGES = [("Starter", 100, 999), ("Popular", 500, 3999), ("Big night", 1000, 6999)]

# (login, display name, room title, topic, tags, tip menu, goals: the first starts at once)
PERFORMER_ROOMS: list[tuple[str, str, str, list[str], list[tuple[str, int]], list[tuple[str, int]]]] = [
    (
        PERFORMER,
        "Late-night lo-fi and requests",
        "Tip a song request and I'll play it next.",
        ["music", "talk", "lofi"],
        [("Say my name", 10), ("Song request", 25), ("Dance", 50), ("Spin the wheel", 100)],
        [("Warm-up dance", 50), ("Karaoke hour", 300), ("Costume change", 1000)],
    ),
    (
        OFFLINE_PERFORMER,
        "Sunday sketching and chat",
        "Drawing whatever chat suggests.",
        ["art", "chill"],
        [("Draw your idea", 40), ("Sign the sketch", 15)],
        [("New brush set", 400)],
    ),
]

# Invented identity records of the demo performers, approved so `make run` goes live at once:
# (login, legal name, date of birth, country)
DEMO_IDENTITIES = [
    (PERFORMER, "Nova Example Starling", date(1996, 4, 12), "NL"),
    (OFFLINE_PERFORMER, "Luna Example Vesper", date(1993, 9, 30), "DE"),
]

# Shows of the offline performer: (days from today, hour UTC, minute, minutes, title)
SCHEDULE = [(1, 20, 0, 120, "Sketch night"), (3, 19, 30, 90, "Portraits of chat"), (6, 18, 0, 120, "Q&A")]

FOLLOWERS = [("demo_fan_ayla", "Ayla"), ("demo_fan_bram", "Bram"), ("demo_fan_cleo", "Cleo"), ("demo_fan_dev", "Dev")]

CHAT = [
    ("demo_fan_ayla", "hi Nova! 👋"),
    ("demo_fan_bram", "the lo-fi tonight is perfect"),
    ("demo_fan_cleo", "can we get the warm-up dance? 50 to go"),
    ("demo_fan_dev", "first time here, hello everyone"),
    ("demo_fan_ayla", "welcome Dev! tip menu is on the right"),
    ("demo_fan_bram", "song request incoming"),
]


class Command(BaseCommand):
    help = "Create invented demo accounts of every role and the data to try the site, and print their logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--code", metavar="LOGIN", help="print the current two-factor code of a demo account")

    def handle(self, *args: Any, **options: Any) -> None:
        path = settings.VAR_DIR / "demo_credentials.json"
        creds: dict[str, dict[str, str]] = json.loads(path.read_text()) if path.exists() else {}
        if options["code"]:
            entry = creds.get(options["code"])
            if not entry or not entry.get("totp_secret"):
                raise CommandError(f"{options['code']!r} is not a demo account with two-factor")
            self.stdout.write(pyotp.TOTP(entry["totp_secret"]).now())
            return
        with transaction.atomic():
            users = {login: self._account(creds, login, role, name) for login, role, name in DEMO_ACCOUNTS}
        path.write_text(json.dumps(creds, indent=2))
        path.chmod(0o600)
        with transaction.atomic():
            summary = demo_data(users)
        self._print(creds, summary)

    def _account(self, creds: dict[str, dict[str, str]], login: str, role: str, name: str) -> User:
        entry = creds.setdefault(login, {"password": f"demo-{secrets.token_urlsafe(9)}"})
        user = User.objects.filter(login=login).first()
        if user is None:
            user = user_create(
                login=login,
                email=f"{login}@demo.stagedoor.invalid",
                password=entry["password"],
                role=role,
                display_name=name,
                actor=ACTOR,
            )
        elif not user.check_password(entry["password"]):
            user.set_password(entry["password"])
            user.save(update_fields=["password"])
        if role in MFA_REQUIRED_ROLES:
            secret = entry.setdefault("totp_secret", pyotp.random_base32())
            if not user.mfa_enabled or user.totp_secret != secret:
                user.totp_secret = secret
                user.mfa_enabled = True
                user.save(update_fields=["totp_secret", "mfa_enabled"])
                audit_record(actor=ACTOR, action="auth.mfa_enabled", target=user, data={"demo": True})
        return user

    def _print(self, creds: dict[str, dict[str, str]], summary: list[str]) -> None:
        console = Console(file=self.stdout, highlight=False, width=120)  # type: ignore[arg-type]
        table = Table(title="Stagedoor demo logins (invented people)", title_justify="left")
        table.add_column("role")
        table.add_column("login")
        table.add_column("password")
        table.add_column("two-factor")
        for login, role, _ in DEMO_ACCOUNTS:
            entry = creds[login]
            otp = f"stagedoor demo --code {login}" if entry.get("totp_secret") else "—"
            table.add_row(Role(role).label, login, entry["password"], otp)
        console.print(table)
        console.print("Demo data: " + "; ".join(summary) + ".")
        console.print(
            f"Log in at {settings.STAGEDOOR.base_url}/login (or sign up as a new viewer, buy tokens in the sandbox "
            "and tip Nova). Staff and performers need the code the last column prints."
        )


def demo_data(users: dict[str, User]) -> list[str]:
    """Everything but the accounts, each part added only when missing. Returns what there is, for the printout."""
    packages = _packages(users["demo_finance"])
    for login, legal_name, born, country in DEMO_IDENTITIES:
        if verification_selectors.standing_of(users[login].pk, now=timezone.now()).state == "unverified":
            verification_services.identity_record_approved(
                user=users[login], legal_name=legal_name, date_of_birth=born, country=country, actor=ACTOR
            )
    rooms = {
        login: _room(users[login], title, topic, tags, menu, goals)
        for login, title, topic, tags, menu, goals in PERFORMER_ROOMS
    }
    offline = rooms[OFFLINE_PERFORMER]
    if not room_selectors.upcoming_shows(offline):
        room_services.room_schedule_set(room=offline, actor=ACTOR, plans=_schedule(timezone.now()))
    fans = [_follower(login, name) for login, name in FOLLOWERS]
    for fan in fans:
        for room in rooms.values():
            room_services.room_follow(user=fan, room=room)
    room_services.room_follow(user=users["demo_viewer"], room=rooms[PERFORMER])
    _chat_history(rooms[PERFORMER], {fan.login: fan for fan in fans})
    _review_queue(rooms[PERFORMER], {fan.login: fan for fan in fans}, users["demo_viewer"])
    _shows_and_fan_club(users, fans)
    _payout_methods(users)
    _support_desk(users)
    _community(users)
    _ads(users)
    _referrals(users)
    nxt = room_selectors.next_show(offline)
    return [
        f"{len(packages)} token packages",
        "approved (invented) identity records for the performers",
        f"tip menus and goals for {', '.join(u.shown_name for u in (users[PERFORMER], users[OFFLINE_PERFORMER]))}",
        f"{users[OFFLINE_PERFORMER].shown_name}'s next show {nxt.starts_at:%a %d %b %H:%M} UTC" if nxt else "no show",
        f"{len(fans)} followers",
        "chat history in Nova's room",
        "two cases in the trust & safety review queue (a held line, a reported one)",
        "Nova's show prices (private, group, spy), a ticket show tomorrow, a fan club with a post, "
        "a member and a private-message thread",
        "payout methods for both performers (the textbook example IBAN, in their verified names): demo_finance makes "
        "the week's payout run at /staff/payouts/",
        "help articles at /help and two support tickets (Vera's and Nova's) in the queue at /staff/support/",
        "a themed night on now (/events/neon-night) with both performers in it, and its tips contest "
        "(/contests/neon-cup): tip Nova and watch the leaderboard move",
        "an ad campaign (an HTML5 banner on the directory and room pages) at /staff/ads/; Vera reads its report at "
        "/ads/report",
        "a partners' and a performers' commission plan; Nova's referral link and dashboard at /affiliates "
        "(plans and held commissions at /staff/affiliates/)",
    ]


def _community(users: dict[str, User]) -> None:
    """A themed night on now with both performers, and a tips contest over it (each made once)."""
    from stagedoor.community import selectors as community_selectors
    from stagedoor.community import services as community_services

    now = timezone.now()
    event = community_selectors.event_by_slug_or_none("neon-night")
    if event is None:
        event = community_services.event_create(
            actor=users["demo_admin"],
            slug="neon-night",
            title="Neon night",
            description="Glow sticks, black light and a dress code: neon.",
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(days=7),
        )
        contest = community_services.contest_create(
            actor=users["demo_admin"],
            slug="neon-cup",
            title="Neon cup",
            metric="tips",
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(days=7),
            event_id=event.pk,
        )
        for login in (PERFORMER, OFFLINE_PERFORMER):
            community_services.event_join(performer=users[login], event_id=event.pk)
            community_services.contest_enter(performer=users[login], contest_id=contest.pk)


DEMO_BANNER = (
    '<div style="display:flex;align-items:center;justify-content:space-between;height:90px;padding:0 24px;'
    'background:linear-gradient(90deg,#1d2b53,#7e2553);color:#fff;font:600 22px system-ui,sans-serif">'
    '<span>Quiet Night headphones</span><span style="font-size:16px">Hear every whisper &#8594;</span></div>'
)


def _ads(users: dict[str, User]) -> None:
    """An invented advertiser (Vera reads its report) with a running HTML5 banner campaign (once)."""
    admin = users["demo_admin"]
    advertiser = next((a for a in ads_selectors.advertisers() if a.name == "Quiet Night Audio"), None)
    if advertiser is None:
        advertiser = ads_services.advertiser_create(actor=admin, name="Quiet Night Audio", user=users["demo_viewer"])
    if ads_selectors.campaigns(advertiser=advertiser).exists():
        return
    spec = ads_services.CampaignSpec(
        name="Quiet Night launch",
        pricing="cpm",
        price_micros=2_000_000,
        budget_micros=50_000_000,
        daily_budget_micros=5_000_000,
        starts_at=timezone.now() - timedelta(minutes=1),
        slots=("directory",),
        frequency_cap=20,
    )
    campaign = ads_services.campaign_create(actor=admin, advertiser_id=advertiser.pk, spec=spec)
    ads_services.creative_add(
        actor=admin,
        campaign_id=campaign.pk,
        kind="html5",
        name="Launch banner",
        click_url="https://quietnight.example/",
        alt_text="Quiet Night headphones: hear every whisper",
        html=DEMO_BANNER,
        width=728,
        height=90,
    )
    ads_services.campaign_set_status(actor=admin, campaign_id=campaign.pk, action="activate")


def _referrals(users: dict[str, User]) -> None:
    finance = users["demo_finance"]
    if affiliate_selectors.performer_plan() is None:
        affiliate_services.plan_create(
            actor=finance, name="Partners 25%", kind="revshare", share_bp=2500, months=6, window_days=30
        )
        affiliate_services.plan_create(
            actor=finance, name="Bring a performer", kind="cpa", cpa_tokens=1000, window_days=60, for_performers=True
        )
    if affiliate_selectors.affiliate_of(users[PERFORMER]) is None:
        affiliate_services.performer_referrals_open(actor=users[PERFORMER])


def _support_desk(users: dict[str, User]) -> None:
    """The starting help articles and macros, and two tickets for the support queue (once)."""
    support_services.defaults_seed()
    for login, subject, body, category in (
        (
            "demo_viewer",
            "My tokens did not arrive",
            "I bought the Starter package but my balance did not change.",
            "billing",
        ),
        (PERFORMER, "Stream stutters before my show", "Viewers say my stream freezes every few seconds.", "technical"),
    ):
        if not Ticket.objects.filter(requester=users[login], subject=subject).exists():
            request = support_services.OpenRequest(subject=subject, body=body, category=category)
            support_services.ticket_open(requester=users[login], request=request, acknowledge=False)


def _review_queue(room: Any, fans: dict[str, User], reporter: User) -> None:
    """Something for the demo moderator to decide, once: a line the classifier held (contact details off the
    platform; its case opens from the outbox like a live hold's) and a spam line a viewer reported."""
    if moderation_selectors.reports_of(reporter, limit=1):
        return
    now = int(time.time() * 1000)
    held, spam = new_id(), new_id()
    line = {"room": room.slug, "seq": None, "role": "viewer"}
    dev, cleo = fans["demo_fan_dev"], fans["demo_fan_cleo"]
    held_line = "add me on snap, its dev_k99 — cheaper there"
    spam_line = "cheap followers at followers-now dot example"
    chat_messages_write(
        records=[
            ChatRecord(
                message_id=held,
                user_id=dev.pk,
                login=dev.login,
                text=held_line,
                ts=now - 20_000,
                status=STATUS_HELD,
                reason="off_platform",
                **line,
            ),
            ChatRecord(message_id=spam, user_id=cleo.pk, login=cleo.login, text=spam_line, ts=now - 10_000, **line),
        ],
        deletions=[],
    )
    moderation_services.report_file(
        reporter=reporter, target_kind="message", target_id=spam, reason="spam", text="Selling followers in chat."
    )


def _packages(finance: User) -> list[Any]:
    existing = {(p.name, p.tokens) for p in wallet_selectors.packages_all()}
    for position, (name, tokens, price) in enumerate(PACKAGES):
        if (name, tokens) not in existing:
            wallet_services.package_create(
                actor=finance, name=name, tokens=tokens, price_minor=price, currency="USD", position=position
            )
    return list(wallet_selectors.packages_on_sale())


def _room(
    performer: User, title: str, topic: str, tags: list[str], menu: list[tuple[str, int]], goals: list[tuple[str, int]]
) -> Any:
    room = room_services.room_for_performer(performer=performer)
    if room.title == f"{performer.shown_name}'s room" and not room.tags:  # as created: never undo the performer's
        room_services.room_update(room=room, title=title, topic=topic, tags=tags)
    if not wallet_selectors.tip_menu_of(performer, include_inactive=True).exists():
        for label, price in menu:
            wallet_services.tip_menu_item_create(performer=performer, label=label, price=price)
    open_goals = wallet_selectors.goals_of(performer).filter(status__in=[TipGoal.Status.ACTIVE, TipGoal.Status.QUEUED])
    if not open_goals.exists():
        for title_, target in goals:
            wallet_services.tip_goal_create(performer=performer, title=title_, target=target)
    return room


def _schedule(now: datetime) -> list[room_services.ShowPlan]:
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return [
        room_services.ShowPlan(
            starts_at=today + timedelta(days=days, hours=hour, minutes=minute), duration_minutes=length, title=title
        )
        for days, hour, minute, length, title in SCHEDULE
    ]


def _follower(login: str, name: str) -> User:
    user = User.objects.filter(login=login).first()
    if user is None:  # an invented fan nobody logs in as: a random password, never printed
        user = user_create(
            login=login,
            email=f"{login}@demo.stagedoor.invalid",
            password=secrets.token_urlsafe(24),
            role=Role.VIEWER,
            display_name=name,
            actor=ACTOR,
        )
    return user


def _chat_history(room: Any, fans: dict[str, User]) -> None:
    """A few stored messages (the room's chat history, `GET /api/v1/chat/rooms/{slug}/messages`), once."""
    if chat_recent_messages(room, limit=1):
        return
    start = int(time.time() * 1000) - len(CHAT) * 45_000
    records = [
        # seq None: stored history outside the live timeline, so a restarted gateway's numbering never collides
        ChatRecord(
            message_id=new_id(),
            room=room.slug,
            seq=None,
            user_id=fans[login].pk,
            login=fans[login].login,
            role="viewer",
            text=text,
            ts=start + i * 45_000,
        )
        for i, (login, text) in enumerate(CHAT)
    ]
    chat_messages_write(records=records, deletions=[])


def _demo_picture() -> bytes:
    """A synthetic picture for the demo fan post (drawn, not a photo of anyone)."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 400), (40, 24, 64))
    draw = ImageDraw.Draw(image)
    for i in range(12):
        draw.ellipse((30 + i * 48, 120 + (i % 3) * 40, 110 + i * 48, 200 + (i % 3) * 40), fill=(200 - i * 12, 80, 160))
    draw.text((30, 30), "Backstage: tonight's set list", fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


DEMO_PAYOUT_IBAN = "DE89370400440532013000"  # the textbook example IBAN (valid checksum, no real account)


def _payout_methods(users: dict[str, User]) -> None:
    """Each demo performer is paid by bank transfer to the example IBAN, in their verified (invented) name; once."""
    for login, legal_name, _born, _country in DEMO_IDENTITIES:
        if payout_selectors.current_payout_method(users[login]) is None:
            payout_services.payout_method_set(
                performer=users[login], kind="sepa", holder_name=legal_name, fields={"iban": DEMO_PAYOUT_IBAN}
            )


def _shows_and_fan_club(users: dict[str, User], fans: list[User]) -> None:
    """Nova's show prices, a ticket show tomorrow, her fan club with a post, one member and a message thread; once."""
    nova = users[PERFORMER]
    show_services.show_settings_update(
        performer=nova, private_rate=60, group_rate=20, group_minimum=2, spy_enabled=True, spy_rate=15
    )
    if not Show.objects.filter(performer=nova, kind=ShowKind.TICKET, status=ShowStatus.SCHEDULED).exists():
        tomorrow = (timezone.now() + timedelta(days=1)).replace(hour=21, minute=0, second=0, microsecond=0)
        show_services.ticket_schedule(performer=nova, title="Acoustic request night", starts_at=tomorrow, price=150)
    club = FanClub.objects.filter(performer=nova).first()
    if club is None or not club.enabled:
        fans_services.club_configure(performer=nova, enabled=True, price=250, discount_bp=1000, message_price=5)
    if not FanPost.objects.filter(club__performer=nova).exists():
        fans_services.post_create(performer=nova, data=_demo_picture(), caption="Tonight's set list, fans first.")
    member = fans[0]
    if not Membership.objects.filter(user=member, club__performer=nova).exists():
        wallet_services.promotion_grant(
            actor=users["demo_finance"], user=member, tokens=1000, reason="demo tokens", idempotency_key="demo-fan-1"
        )
        fans_services.membership_join(user=member, performer_id=nova.pk)
    if not Thread.objects.filter(performer=nova, fan=member).exists():
        fans_services.message_send(
            sender=member,
            recipient_id=nova.pk,
            body="Loved the lo-fi set, any chance of a sunrise theme?",
            client_key="demo-thread-1",
        )
