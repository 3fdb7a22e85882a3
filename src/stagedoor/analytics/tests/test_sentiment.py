"""Chat sentiment: the offline model and its loader, the hourly pass (moderation respected, nothing counted twice,
no text kept), the trend the performer and staff see (never one message's score)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from stagedoor.analytics import services
from stagedoor.analytics.models import RollupCursor, SentimentHourly
from stagedoor.analytics.selectors import sentiment as sentiment_selectors
from stagedoor.analytics.sentiment_model import LexiconError, Tally, load_model, parse_lexicon
from stagedoor.analytics.services.rollup import _id_floor
from stagedoor.chat.models import ChatMessage
from stagedoor.core.ids import new_id
from stagedoor.rooms.models import Room
from stagedoor.web.tests.console_helpers import client_for, staff

HAPPY = "I love this show, you are amazing!"
SAD = "This is terrible and boring, I hate it"
PLAIN = "the stream starts at nine"


def test_the_packaged_model_scores_offline() -> None:
    model = load_model()
    assert model.source.startswith("vadersentiment 3.3.2") and model.entries > 7000
    tally = model.tally([HAPPY, SAD, PLAIN, HAPPY])
    assert (tally.messages, tally.positive, tally.neutral, tally.negative) == (4, 2, 1, 1)
    one = {text: model.tally([text]).compound_micro for text in (HAPPY, SAD, PLAIN)}
    assert one[PLAIN] == 0 and one[HAPPY] > 500_000 and one[SAD] < -500_000
    assert tally.compound_micro == 2 * one[HAPPY] + one[SAD]
    assert Tally(2, 1, 1, 0, 500_000).mean == 0.25 and Tally().mean is None


def test_an_operator_lexicon_replaces_the_packaged_one(tmp_path: Path) -> None:
    lexicon = tmp_path / "lexicon.txt"
    lexicon.write_text("sparkly\t3.2\t0.5\t[3, 3]\nmeh\t-2.0\t0.4\t[-2, -2]\n\n", encoding="utf-8")
    model = load_model(lexicon)
    assert model.source == str(lexicon) and model.entries == 2
    tally = model.tally(["so sparkly", "meh", "I love it"])  # "love" is not in this lexicon
    assert (tally.positive, tally.neutral, tally.negative) == (1, 1, 1)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("good\t1.0\nbad\n", "line 2: expected 'token<TAB>valence', got 'bad'"),
        ("good\tvery\n", "line 1: valence 'very' is not a number"),
        ("good\t9\n", "line 1: valence 9.0 is outside [-4, 4]"),
        ("\n\n", "no entries"),
    ],
)
def test_a_broken_lexicon_is_refused_naming_the_line(text: str, problem: str) -> None:
    with pytest.raises(LexiconError) as caught:
        parse_lexicon(text, origin="ops.txt")
    assert str(caught.value) == f"ops.txt: {problem}"


def test_a_missing_lexicon_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(LexiconError, match="no such file"):
        load_model(tmp_path / "nope.txt")


def _line(
    room: Room, user: Any, text: str, at: datetime, status: str = ChatMessage.Status.VISIBLE, *, id: str = ""
) -> ChatMessage:
    return ChatMessage.objects.create(
        id=id or new_id(), room=room, user=user, login=user.login if user else "", role="viewer", text=text,
        status=status, created_at=at,
    )  # fmt: skip


@pytest.fixture
def chat(make_user: Any) -> dict[str, Any]:
    performer = make_user("performer", verified=False)
    room = Room.objects.create(performer=performer, slug="mood-room")
    fans = [make_user("viewer") for _ in range(2)]
    hour = timezone.now().astimezone(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=2)
    for n in range(6):
        _line(room, fans[n % 2], HAPPY, hour + timedelta(minutes=n))
    _line(room, fans[0], SAD, hour + timedelta(minutes=10))
    _line(room, fans[1], PLAIN, hour + timedelta(minutes=70))  # the next hour
    # never counted: removed by moderation, held, blocked, the performer's own line, a system line
    _line(room, fans[0], SAD, hour, status=ChatMessage.Status.DELETED)
    _line(room, fans[0], SAD, hour, status=ChatMessage.Status.HELD)
    _line(room, fans[0], SAD, hour, status=ChatMessage.Status.BLOCKED)
    _line(room, performer, SAD, hour)
    _line(room, None, SAD, hour)
    return {"performer": performer, "room": room, "hour": hour, "fans": fans}


@pytest.mark.django_db
def test_the_pass_counts_settled_visible_lines_once_and_keeps_no_text(chat: dict[str, Any]) -> None:
    model = load_model()
    later = timezone.now() + timedelta(seconds=1)
    assert services.sentiment_rollup_pass(settle=timedelta(minutes=10), model=model) == 0  # all too fresh
    assert SentimentHourly.objects.count() == 0
    assert services.sentiment_rollup(settle=timedelta(0), now=later, model=model) == 8
    happy, sad = model.tally([HAPPY]).compound_micro, model.tally([SAD]).compound_micro
    rows = list(
        SentimentHourly.objects.order_by("hour").values(
            "hour", "room_id", "performer_id", "messages", "positive", "neutral", "negative", "compound_micro"
        )
    )
    assert rows == [
        {
            "hour": chat["hour"], "room_id": chat["room"].pk, "performer_id": chat["performer"].pk,
            "messages": 7, "positive": 6, "neutral": 0, "negative": 1, "compound_micro": 6 * happy + sad,
        },
        {
            "hour": chat["hour"] + timedelta(hours=1), "room_id": chat["room"].pk,
            "performer_id": chat["performer"].pk, "messages": 1, "positive": 0, "neutral": 1, "negative": 0,
            "compound_micro": 0,
        },
    ]  # fmt: skip
    assert {f.name for f in SentimentHourly._meta.get_fields()} == {
        "id", "hour", "room_id", "performer_id", "messages", "positive", "neutral", "negative", "compound_micro"
    }  # fmt: skip
    # again, and with new lines: only the new ones are added
    assert services.sentiment_rollup(settle=timedelta(0), now=later, model=model) == 0
    # a line numbered after the last pass's horizon (the gateway numbers lines before it writes them)
    _line(chat["room"], chat["fans"][1], HAPPY, chat["hour"] + timedelta(minutes=20), id=_id_floor(later)[:-1] + "1")
    assert services.sentiment_rollup(settle=timedelta(0), now=later + timedelta(seconds=1), model=model) == 1
    first = SentimentHourly.objects.get(hour=chat["hour"])
    assert (first.messages, first.positive, first.compound_micro) == (8, 7, 7 * happy + sad)
    assert RollupCursor.objects.get(name="sentiment").folded == 9


@pytest.mark.django_db
def test_batches_split_anywhere_give_the_same_rows(chat: dict[str, Any]) -> None:
    later = timezone.now() + timedelta(seconds=1)
    assert services.sentiment_rollup(batch=3, settle=timedelta(0), now=later, model=load_model()) == 8
    assert list(SentimentHourly.objects.order_by("hour").values_list("messages", "positive", "negative")) == [
        (7, 6, 1),
        (1, 0, 0),
    ]


@pytest.mark.django_db
def test_the_trend_hides_what_would_describe_a_few_lines(chat: dict[str, Any]) -> None:
    services.sentiment_rollup(settle=timedelta(0), now=timezone.now() + timedelta(seconds=1), model=load_model())
    trend = sentiment_selectors.sentiment_trend(performer_id=chat["performer"].pk, days=30)
    first = SentimentHourly.objects.get(hour=chat["hour"])
    mean = round(first.compound_micro / 1_000_000 / 7, 4)
    hour_index = trend.hour_labels.index(f"{chat['hour']:%Y-%m-%d %H}:00")
    assert trend.by_hour[hour_index] == sentiment_selectors.Bucket(7, 6, 0, 1, mean)
    assert trend.by_hour[hour_index + 1] == sentiment_selectors.Bucket(1, None, None, None, None)  # 1 line: count only
    assert trend.period.messages == 8 and trend.period.positive == 6 and trend.period.neutral == 1
    assert sum(b.messages for b in trend.by_day) == 8
    assert sentiment_selectors.sentiment_trend(performer_id="nobody", days=30).period.messages == 0


@pytest.mark.django_db
def test_the_performer_and_staff_see_the_trend(chat: dict[str, Any], make_user: Any, api_client: Any) -> None:
    services.sentiment_rollup(settle=timedelta(0), now=timezone.now() + timedelta(seconds=1), model=load_model())
    page = client_for(chat["performer"]).get("/studio/dashboard")
    assert page.status_code == 200
    assert page.context["sentiment"].period.messages == 8
    assert b'data-testid="sentiment-card"' in page.content and HAPPY.encode() not in page.content
    mine = api_client(chat["performer"]).get("/api/v1/me/sentiment?days=30").json()
    assert mine["period"]["messages"] == 8 and mine["min_messages"] == 5 and len(mine["by_day"]) == 30
    _, console = staff(make_user, "moderator", mfa=True)
    listing = console.get("/staff/sentiment/")
    assert listing.status_code == 200
    assert [(r.slug, r.bucket.messages) for r in listing.context["rooms"]] == [("mood-room", 8)]
    one = console.get("/staff/sentiment/?room=mood-room&days=90")
    assert one.context["sentiment"].days == 90 and one.context["sentiment"].period.messages == 8
    assert console.get("/staff/sentiment/?room=nope").context["room_missing"] is True
    api = api_client(make_user("admin", mfa=True))
    assert api.get("/api/v1/analytics/sentiment?room=mood-room").json()["period"]["positive"] == 6
    assert api.get("/api/v1/analytics/sentiment?room=nope").status_code == 404
