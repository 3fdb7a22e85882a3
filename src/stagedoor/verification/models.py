"""Identity and age verification: performer applications, verifications and their documents, a performer's
standing (verified until when), co-performers and the broadcasts they appeared in, record holds, the viewer
age-assurance policy and checks, vendor webhooks, and identity-checked account recovery.

Names, dates of birth and countries are encrypted at rest (`EncryptedTextField`); documents are encrypted files
under the var dir whose per-document data key is wrapped by the active key-encryption key (`wrapped_key`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from stagedoor.core.fields import EncryptedTextField, IdField, OpaqueKeyField, WrappedKeyField

USER = settings.AUTH_USER_MODEL


class Method(models.TextChoices):
    MANUAL = "manual", "Document upload, reviewed by our staff"
    VERIFF = "veriff", "Veriff"
    ONFIDO = "onfido", "Onfido"


class PerformerApplication(models.Model):
    """Someone asks to perform: stage name, who they are (legal name, date of birth, country: encrypted) and the
    verification that proves it. Moved from `accounts` (migration verification.0001 keeps the rows)."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    id = IdField(primary_key=True)
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="performer_applications")
    stage_name = models.CharField(max_length=60)
    legal_name = EncryptedTextField(blank=True, default="")
    date_of_birth = EncryptedTextField(blank=True, default="")  # ISO date
    country = EncryptedTextField(blank=True, default="")
    verification = models.ForeignKey(
        "Verification", null=True, blank=True, on_delete=models.SET_NULL, related_name="applications"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    note = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(status="pending"), name="one_pending_application_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"{self.stage_name} ({self.status})"


class Verification(models.Model):
    """One attempt to prove who someone is: through a vendor's hosted check or documents our staff review."""

    class Purpose(models.TextChoices):
        ONBOARDING = "onboarding", "Becoming a performer"
        REVERIFICATION = "reverification", "Re-verification"
        COPERFORMER = "coperformer", "Co-performer"
        RECOVERY = "recovery", "Account recovery"

    class Status(models.TextChoices):
        STARTED = "started", "Waiting for the person"
        SUBMITTED = "submitted", "Waiting for review"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Rejected"
        RESUBMIT = "resubmission_requested", "More information needed"

    id = IdField(primary_key=True)
    user = models.ForeignKey(USER, null=True, blank=True, on_delete=models.CASCADE, related_name="verifications")
    coperformer = models.ForeignKey(
        "CoPerformer", null=True, blank=True, on_delete=models.CASCADE, related_name="verifications"
    )
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    method = models.CharField(max_length=10, choices=Method.choices)
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.STARTED, db_index=True)
    # who the person says they are
    legal_name = EncryptedTextField(blank=True, default="")
    date_of_birth = EncryptedTextField(blank=True, default="")
    country = EncryptedTextField(blank=True, default="")
    # the vendor's session, and what its decision said (the person on the document)
    vendor_session_id = OpaqueKeyField(max_length=100, blank=True, default="")
    vendor_url = models.TextField(blank=True, default="")
    vendor_error = models.CharField(max_length=300, blank=True, default="")
    vendor_attempts = models.PositiveIntegerField(default=0)
    vendor_decided_at = models.DateTimeField(null=True, blank=True)
    vendor_legal_name = EncryptedTextField(blank=True, default="")
    vendor_date_of_birth = EncryptedTextField(blank=True, default="")
    document_type = models.CharField(max_length=30, blank=True, default="")
    document_country = models.CharField(max_length=2, blank=True, default="")
    document_expires_on = models.DateField(null=True, blank=True)
    # the decision
    reason = models.TextField(blank=True, default="")
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_by_label = models.CharField(max_length=80, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["method", "vendor_session_id"],
                condition=~models.Q(vendor_session_id=""),
                name="verification_vendor_session_once",
            )
        ]
        indexes = [models.Index(fields=["user", "-created_at"], name="verification_user_idx")]

    def __str__(self) -> str:
        return f"{self.purpose} via {self.method} ({self.status})"

    @property
    def is_vendor(self) -> bool:
        return self.method != Method.MANUAL


class Document(models.Model):
    """A checked, metadata-stripped upload, encrypted on disk under the var dir (never a public URL)."""

    class Kind(models.TextChoices):
        ID_FRONT = "id_front", "ID document, front"
        ID_BACK = "id_back", "ID document, back"
        SELFIE = "selfie", "Selfie holding the document"
        RELEASE = "release", "Signed release"

    id = IdField(primary_key=True)
    verification = models.ForeignKey(Verification, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()  # bytes of the stripped plaintext
    sha256 = models.CharField(max_length=64)  # of the stripped plaintext: the document reference in records
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    pages = models.PositiveIntegerField(default=0)
    path = models.CharField(max_length=200)  # relative to the documents dir
    wrapped_key = WrappedKeyField()  # the data key, wrapped by a KEK (core.crypto token)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.kind} of {self.verification_id}"


class PerformerStanding(models.Model):
    """A performer's verified identity: the approval it rests on and the document's expiry (one row per person,
    read by the publish and payee gates in one query)."""

    user = models.OneToOneField(USER, primary_key=True, on_delete=models.CASCADE, related_name="identity_standing")
    verification = models.ForeignKey(Verification, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    verified_at = models.DateTimeField()
    document_expires_on = models.DateField(null=True, blank=True)
    # the earliest open staff or moderation request (ReverificationRequest), copied here for the gates
    request_deadline = models.DateTimeField(null=True, blank=True)
    request_reason = models.CharField(max_length=500, blank=True, default="")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"standing of {self.user_id}"


class ReverificationRequest(models.Model):
    """Staff or a moderation case asked a performer to verify again by `deadline`; met by a later approval."""

    class Source(models.TextChoices):
        STAFF = "staff", "Staff"
        MODERATION = "moderation", "Moderation case"

    id = IdField(primary_key=True)
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="reverification_requests")
    source = models.CharField(max_length=12, choices=Source.choices)
    reason = models.CharField(max_length=500)
    deadline = models.DateTimeField()
    requested_by_label = models.CharField(max_length=80, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    met_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "met_at"], name="reverify_request_open_idx")]

    def __str__(self) -> str:
        return f"re-verification of {self.user_id} by {self.deadline:%Y-%m-%d}"


class CoPerformer(models.Model):
    """Someone else on a performer's camera: a verified account of ours, or a record verified the same way
    with a signed release. `declared` puts them on the next broadcast's list."""

    id = IdField(primary_key=True)
    owner = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="coperformers")
    account = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    stage_name = models.CharField(max_length=60)
    legal_name = EncryptedTextField(blank=True, default="")
    date_of_birth = EncryptedTextField(blank=True, default="")
    country = EncryptedTextField(blank=True, default="")
    release_signed_name = EncryptedTextField(blank=True, default="")  # the signature: their legal name
    release_signed_at = models.DateTimeField(null=True, blank=True)
    release_version = models.CharField(max_length=20, blank=True, default="")
    declared = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.stage_name


class Broadcast(models.Model):
    """One time on air (a stream session: from the room going live to offline) and who was declared on it."""

    id = IdField(primary_key=True)
    room_id = models.CharField(max_length=26, db_index=True)
    performer = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="broadcasts")
    stage_name = models.CharField(max_length=60)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    coperformers = models.ManyToManyField(CoPerformer, blank=True, related_name="broadcasts")
    declared = models.JSONField(default=list, blank=True)  # [{id, stage_name, account}] as declared at the start

    class Meta:
        indexes = [models.Index(fields=["performer", "-started_at"], name="broadcast_performer_idx")]

    def __str__(self) -> str:
        return f"{self.stage_name} {self.started_at:%Y-%m-%d %H:%M}"


class RecordsHold(models.Model):
    """Records kept for inspection: exempt from erasure until `retain_until`, on `legal_basis`."""

    id = IdField(primary_key=True)
    user = models.OneToOneField(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="records_hold")
    coperformer = models.OneToOneField(
        CoPerformer, null=True, blank=True, on_delete=models.PROTECT, related_name="records_hold"
    )
    legal_basis = models.TextField()
    last_appearance_at = models.DateTimeField()
    retain_until = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"hold until {self.retain_until:%Y-%m-%d}"


class AgeMethod(models.TextChoices):
    SELF_DECLARATION = "self_declaration", "Self-declaration"
    AGE_ESTIMATION = "age_estimation", "Age estimation"
    ID_CHECK = "id_check", "ID check"
    BLOCKED = "blocked", "Blocked"


# how strong each method is: a stronger passed check satisfies a weaker requirement
AGE_METHOD_RANK = {
    AgeMethod.SELF_DECLARATION: 0,
    AgeMethod.AGE_ESTIMATION: 1,
    AgeMethod.ID_CHECK: 2,
    AgeMethod.BLOCKED: 99,
}


class AgePolicy(models.Model):
    """What viewers in a jurisdiction ("GB", "US-TX", or "*" for everywhere else) must pass before adult content."""

    region = models.CharField(max_length=6, unique=True)
    method = models.CharField(max_length=20, choices=AgeMethod.choices)
    reason = models.CharField(max_length=300, blank=True, default="")  # shown to viewers: the law that asks for it
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return f"{self.region}: {self.method}"


class AgeCheck(models.Model):
    """A viewer's age check at a vendor. Only the outcome is kept: no image, no document, no date of birth."""

    class Status(models.TextChoices):
        STARTED = "started", "Started"
        PASSED = "passed", "Passed"
        FAILED = "failed", "Failed"

    id = IdField(primary_key=True)
    user = models.ForeignKey(USER, null=True, blank=True, on_delete=models.CASCADE, related_name="age_checks")
    device_id = models.CharField(max_length=40, blank=True, default="")  # a guest's device (signed cookie)
    method = models.CharField(max_length=20, choices=AgeMethod.choices)
    vendor = models.CharField(max_length=10)
    vendor_session_id = OpaqueKeyField(max_length=100, blank=True, default="")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.STARTED)
    vendor_url = models.TextField(blank=True, default="")
    vendor_error = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["vendor", "vendor_session_id"],
                condition=~models.Q(vendor_session_id=""),
                name="age_check_vendor_session_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.status}"


class AgeAssurance(models.Model):
    """A passed check remembered for an account until `expires_at` (guests: a signed cookie instead)."""

    id = IdField(primary_key=True)
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="age_assurances")
    method = models.CharField(max_length=20, choices=AgeMethod.choices)
    passed_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["user", "-expires_at"], name="age_assurance_user_idx")]

    def __str__(self) -> str:
        return f"{self.method} until {self.expires_at:%Y-%m-%d}"


class WebhookEvent(models.Model):
    """Every vendor webhook received and what became of it (never its body: it carries personal data)."""

    class Outcome(models.TextChoices):
        APPLIED = "applied", "Applied"
        DUPLICATE = "duplicate", "Replay of an applied event"
        STALE = "stale", "Older than the decision recorded"
        IGNORED = "ignored", "Not a decision we use"
        FORGED = "forged", "Signature does not match"
        MALFORMED = "malformed", "Unreadable"
        UNKNOWN_SESSION = "unknown_session", "No such session"
        MISMATCH = "mismatch", "Session of someone else"
        VENDOR_ERROR = "vendor_error", "Vendor unreachable while confirming"

    id = IdField(primary_key=True)
    vendor = models.CharField(max_length=10)
    event_id = OpaqueKeyField(max_length=200, blank=True, default="")
    session_id = models.CharField(max_length=100, blank=True, default="")
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    detail = models.CharField(max_length=300, blank=True, default="")
    remote_ip = EncryptedTextField(blank=True, default="")  # encrypted at rest (verification 0005)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["vendor", "event_id"], name="verif_webhook_event_idx")]

    def __str__(self) -> str:
        return f"{self.vendor} {self.outcome}"


class Recovery(models.Model):
    """Getting back into a performer account without password and second factor: the identity check again,
    matched to the verified record, then a cooling-off period with notices to the account's address."""

    class Status(models.TextChoices):
        IDENTITY_CHECK = "identity_check", "Waiting for the identity check"
        COOLING_OFF = "cooling_off", "Cooling off"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    id = IdField(primary_key=True)
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="recoveries")
    started_by_label = models.CharField(max_length=80)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.IDENTITY_CHECK)
    verification = models.ForeignKey(Verification, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)  # the applicant's link (sha256 of the secret)
    cooling_off_until = models.DateTimeField(null=True, blank=True)
    failure = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(status__in=["identity_check", "cooling_off"]),
                name="one_open_recovery_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"recovery of {self.user_id} ({self.status})"
