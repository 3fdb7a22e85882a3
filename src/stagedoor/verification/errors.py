"""Verification errors with stable codes."""

from __future__ import annotations

from stagedoor.core.errors import ApplicationError, Conflict, NotFound, PermissionDenied, ValidationFailed


class ApplicationExists(Conflict):
    code = "performer.application_pending"
    default_message = "You already have an application waiting for review."


class ApplicationDecided(Conflict):
    code = "performer.application_decided"
    default_message = "This application was already decided."


class AlreadyPerformer(Conflict):
    code = "performer.already_performer"
    default_message = "You are already a performer."


class ApplicationNotFound(NotFound):
    code = "performer.application_not_found"
    default_message = "No such performer application."


class VerificationNotFound(NotFound):
    code = "verification.not_found"
    default_message = "No such verification."


class DocumentNotFound(NotFound):
    code = "verification.document_not_found"
    default_message = "No such document."


class MethodNotAvailable(ValidationFailed):
    code = "verification.method_unavailable"
    default_message = "That verification method is not available here."


class VerificationNotOpen(Conflict):
    code = "verification.not_open"
    default_message = "This verification is not waiting for you any more."


class DocumentsMissing(Conflict):
    code = "verification.documents_missing"
    default_message = "Upload the front of your ID document and a selfie first."


class NotReadyForDecision(Conflict):
    code = "verification.not_ready"
    default_message = "This verification has nothing to decide yet: the person has not finished it."


class VendorUnavailable(ApplicationError):
    """The vendor could not be reached or answered with an error; the verification stays, with a retry."""

    code = "verification.vendor_unavailable"
    status = 503
    default_message = "The verification service could not be reached. Your application is kept; try again shortly."


class UploadRefused(ValidationFailed):
    code = "verification.upload_refused"
    default_message = "This file cannot be used."


class UploadTooLarge(ApplicationError):
    code = "verification.upload_too_large"
    status = 413
    default_message = "This file is too large."


class NotAPerformer(PermissionDenied):
    code = "verification.not_a_performer"
    default_message = "Only performers verify their identity here; apply to perform first."


class CoPerformerNotFound(NotFound):
    code = "verification.coperformer_not_found"
    default_message = "No such co-performer."


class LinkExpired(PermissionDenied):
    code = "verification.link_expired"
    default_message = "This document link has expired or is not yours. Open the document again from the review page."


class AgeCheckUnavailable(ApplicationError):
    code = "verification.age_check_unavailable"
    status = 503
    default_message = "No age-check service is configured for this method. Contact support."


class AgeCheckNotFound(NotFound):
    code = "verification.age_check_not_found"
    default_message = "No such age check."


class RecoveryNotAllowed(PermissionDenied):
    code = "recovery.not_allowed"
    default_message = "This account cannot be recovered with an identity check."


class RecoveryNotFound(NotFound):
    code = "recovery.not_found"
    default_message = "This recovery link is invalid or has been used."


class RecoveryNotReady(Conflict):
    code = "recovery.not_ready"
    default_message = "This recovery is not ready yet."


class RecoveryOpen(Conflict):
    code = "recovery.in_progress"
    default_message = "A recovery of this account is already in progress."


class DateOfBirthRefused(ValidationFailed):
    """Under 18, in the future, or not a date: nothing is stored."""

    code = "verification.date_of_birth_refused"
    default_message = "You must be at least 18 years old."


class NotVerified(Conflict):
    code = "verification.not_verified"
    default_message = "This performer has no approved verification to renew."
