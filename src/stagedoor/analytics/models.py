"""Roll-ups the dashboards read: daily sums folded incrementally from the ledger, never edited by hand.

- `RollupCursor`: per roll-up, the last source row folded. The fold of a batch and the cursor move commit
  in one transaction, so a crash leaves both before or both after the batch: nothing is folded twice.
- `LedgerDaily`: per UTC day, ledger account and product, the sum of entry amounts and their count.
- `PlatformDaily`: the same summed over all accounts of a kind (viewer wallets, holds, earnings…): a few
  rows a day, so platform totals (liabilities, revenue) stay cheap with millions of accounts.
- `SupportDaily`: per day, performer and payer, the tokens the payer spent on the performer (tips, charges,
  captured holds). Top supporters and distinct payers per day come from here.
- `SalesDaily`: per day, processor and currency: token purchases, refunds and chargebacks (count, tokens,
  money in minor units), read from the purchase transfers' data.
- `ShowMinutesDaily`: per day and performer, show minutes billed (the ledger's show-minute transfers).
- `ChatterDaily`: per day and performer, each distinct person who chatted in the room (a set: replaying
  a pass is harmless).

Ids of users and accounts are plain strings (no foreign keys): a roll-up must never lock or block the rows
it summarizes.

Chat sentiment (docs/analytics.md): `SentimentHourly`, per room and UTC hour, the count of scored messages, how
many were positive / neutral / negative and the sum of their compound scores (integer millionths). No message id,
text or author: a per-message score is never stored.

Surveys: `Survey` (staff write it; audience viewers or performers; opens and closes at set times), its
`SurveyQuestion`s (single choice, multiple choice, 1–5 rating, free text), one `SurveyResponse` per person and
survey (a unique constraint) and its `SurveyAnswer` rows (one per chosen option, rating or text). Erasure drops a
response's link to its person (`respondent` → NULL) and its free text; the counts stay.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from stagedoor.core.fields import IdField
from stagedoor.core.ids import ID_LENGTH


class Product(models.TextChoices):
    TIPS = "tips", "Tips"
    SHOWS = "shows", "Private and group shows"
    TICKETS = "tickets", "Ticket shows"
    FANCLUB = "fanclub", "Fan clubs"
    MESSAGES = "messages", "Paid messages"
    OTHER = "other", "Other charges"
    HOLDS = "holds", "Holds (escrow)"
    PURCHASES = "purchases", "Token purchases"
    REFUNDS = "refunds", "Refunds"
    CHARGEBACKS = "chargebacks", "Chargebacks"
    PROMOTIONS = "promotions", "Promotions"
    AFFILIATES = "affiliates", "Affiliate commissions"
    PAYOUTS = "payouts", "Payouts and reserves"


# What a performer earns from (the stacked chart's series, in this order).
EARNING_PRODUCTS = (
    Product.TIPS,
    Product.SHOWS,
    Product.TICKETS,
    Product.FANCLUB,
    Product.MESSAGES,
    Product.OTHER,
    Product.REFUNDS,
    Product.CHARGEBACKS,
)


class RollupCursor(models.Model):
    name = models.CharField(max_length=40, primary_key=True)
    last_id = models.BigIntegerField(default=0)
    last_key = models.CharField(max_length=64, blank=True, default="")  # for string-ordered sources
    folded = models.BigIntegerField(default=0)  # rows folded so far (for the console and the bench)
    updated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} @ {self.last_id or self.last_key}"


class LedgerDaily(models.Model):
    id = models.BigAutoField(primary_key=True)
    day = models.DateField()
    account_id = models.CharField(max_length=ID_LENGTH)
    account_kind = models.CharField(max_length=24)
    product = models.CharField(max_length=16, choices=Product.choices)
    amount = models.BigIntegerField(default=0)
    entries = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account_id", "day", "product"], name="ledger_daily_once")]

    def __str__(self) -> str:
        return f"{self.day} {self.account_id} {self.product} {self.amount:+d}"


class PlatformDaily(models.Model):
    id = models.BigAutoField(primary_key=True)
    day = models.DateField()
    account_kind = models.CharField(max_length=24)
    product = models.CharField(max_length=16, choices=Product.choices)
    amount = models.BigIntegerField(default=0)
    entries = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account_kind", "day", "product"], name="platform_daily_once")]

    def __str__(self) -> str:
        return f"{self.day} {self.account_kind} {self.product} {self.amount:+d}"


class SupportDaily(models.Model):
    id = models.BigAutoField(primary_key=True)
    day = models.DateField()
    performer_id = models.CharField(max_length=ID_LENGTH)
    payer_id = models.CharField(max_length=ID_LENGTH)
    anonymous = models.BooleanField(default=False)  # anonymous tips: shown as "Anonymous", counted as payers
    amount = models.BigIntegerField(default=0)  # tokens the payer spent (gross, before the platform's share)
    payments = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["performer_id", "day", "payer_id", "anonymous"], name="support_daily_once")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.payer_id}→{self.performer_id} {self.amount}"


class SalesDaily(models.Model):
    id = models.BigAutoField(primary_key=True)
    day = models.DateField()
    provider = models.CharField(max_length=20)
    currency = models.CharField(max_length=3)
    purchases = models.BigIntegerField(default=0)
    tokens = models.BigIntegerField(default=0)
    amount_minor = models.BigIntegerField(default=0)
    refunds = models.BigIntegerField(default=0)
    refund_tokens = models.BigIntegerField(default=0)
    refund_minor = models.BigIntegerField(default=0)
    chargebacks = models.BigIntegerField(default=0)
    chargeback_tokens = models.BigIntegerField(default=0)
    chargeback_minor = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "provider", "currency"], name="sales_daily_once")]

    def __str__(self) -> str:
        return f"{self.day} {self.provider} {self.currency} {self.purchases}"


class ShowMinutesDaily(models.Model):
    id = models.BigAutoField(primary_key=True)
    day = models.DateField()
    performer_id = models.CharField(max_length=ID_LENGTH)
    minutes = models.BigIntegerField(default=0)
    tokens = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["performer_id", "day"], name="show_minutes_daily_once")]

    def __str__(self) -> str:
        return f"{self.day} {self.performer_id} {self.minutes} min"


class ChatterDaily(models.Model):
    id = models.BigAutoField(primary_key=True)
    day = models.DateField()
    performer_id = models.CharField(max_length=ID_LENGTH)
    user_id = models.CharField(max_length=ID_LENGTH)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["performer_id", "day", "user_id"], name="chatter_daily_once")]

    def __str__(self) -> str:
        return f"{self.day} {self.user_id} in {self.performer_id}'s room"


class SentimentHourly(models.Model):
    id = models.BigAutoField(primary_key=True)
    hour = models.DateTimeField()  # the UTC hour's start
    room_id = models.CharField(max_length=ID_LENGTH)
    performer_id = models.CharField(max_length=ID_LENGTH)
    messages = models.BigIntegerField(default=0)
    positive = models.BigIntegerField(default=0)
    neutral = models.BigIntegerField(default=0)
    negative = models.BigIntegerField(default=0)
    compound_micro = models.BigIntegerField(default=0)  # sum of the messages' compound scores × 1,000,000

    class Meta:
        constraints = [models.UniqueConstraint(fields=["room_id", "hour"], name="sentiment_hourly_once")]
        indexes = [
            models.Index(fields=["performer_id", "hour"], name="sentiment_performer_hour"),
            models.Index(fields=["hour"], name="sentiment_hour"),
        ]

    def __str__(self) -> str:
        return f"{self.hour:%Y-%m-%d %H}h {self.room_id} {self.messages} messages"


class Audience(models.TextChoices):
    VIEWERS = "viewer", "Viewers"
    PERFORMERS = "performer", "Performers"


class Survey(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    id = IdField(primary_key=True)
    title = models.CharField(max_length=120)
    intro = models.TextField(blank=True, default="")
    audience = models.CharField(max_length=10, choices=Audience.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "audience", "closes_at"], name="survey_open")]
        constraints = [models.CheckConstraint(condition=Q(closes_at__gt=models.F("opens_at")), name="survey_window")]

    def __str__(self) -> str:
        return self.title


class QuestionKind(models.TextChoices):
    SINGLE = "single", "Single choice"
    MULTI = "multi", "Multiple choice"
    RATING = "rating", "Rating 1–5"
    TEXT = "text", "Free text"


class SurveyQuestion(models.Model):
    id = models.BigAutoField(primary_key=True)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=QuestionKind.choices)
    prompt = models.CharField(max_length=300)
    options = models.JSONField(default=list, blank=True)  # the choices' labels (single, multi), in order
    required = models.BooleanField(default=True)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["survey", "position"], name="survey_question_position")]

    def __str__(self) -> str:
        return self.prompt


class SurveyResponse(models.Model):
    id = models.BigAutoField(primary_key=True)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    # NULL once the person's data is erased: the answers still count, they name no one
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "respondent"], name="survey_response_once")]

    def __str__(self) -> str:
        return f"response {self.pk} to {self.survey_id}"


class SurveyAnswer(models.Model):
    id = models.BigAutoField(primary_key=True)
    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(SurveyQuestion, on_delete=models.CASCADE, related_name="answers")
    option = models.PositiveSmallIntegerField(null=True, blank=True)  # single, multi: the chosen option's index
    rating = models.PositiveSmallIntegerField(null=True, blank=True)  # rating: 1–5
    text = models.TextField(blank=True, default="")  # text: sanitised, length-limited

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question", "option"], condition=Q(option__isnull=False), name="survey_choice_once"
            ),
            models.UniqueConstraint(
                fields=["response", "question"], condition=Q(option__isnull=True), name="survey_answer_once"
            ),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="survey_rating_1_5"
            ),
        ]
        indexes = [models.Index(fields=["question", "option"], name="survey_answer_question")]

    def __str__(self) -> str:
        return f"answer to {self.question_id}"
