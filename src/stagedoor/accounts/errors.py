"""Account errors with stable codes."""

from stagedoor.core.errors import ApplicationError, Conflict, PermissionDenied, RateLimited


class InvalidCredentials(ApplicationError):
    code = "auth.invalid_credentials"
    status = 401
    default_message = "That login and password do not match."


class AccountLocked(ApplicationError):
    code = "auth.locked"
    status = 423
    default_message = "Too many failed attempts; this account is locked. Try again later."


class LoginThrottled(RateLimited):
    code = "auth.throttled"
    default_message = "Too many login attempts from here; wait a minute."


class InvalidOtp(ApplicationError):
    code = "auth.invalid_otp"
    status = 401
    default_message = "That code is not valid."


class MfaRequired(PermissionDenied):
    code = "auth.mfa_required"
    default_message = "Turn on two-factor authentication first."


class MfaAlreadyEnabled(Conflict):
    code = "auth.mfa_already_enabled"
    default_message = "Two-factor authentication is already on."


class MfaNotEnabled(Conflict):
    code = "auth.mfa_not_enabled"
    default_message = "Two-factor authentication is not on."


class MfaCannotDisable(PermissionDenied):
    code = "auth.mfa_mandatory"
    default_message = "Your role requires two-factor authentication; it cannot be turned off."


class ConsentRequired(PermissionDenied):
    code = "consent.required"
    default_message = "Confirm your age and accept the terms first."


class InvalidResetToken(ApplicationError):
    code = "auth.invalid_reset_token"
    status = 400
    default_message = "This password reset link is invalid or has expired."


class SessionNotFound(ApplicationError):
    code = "auth.session_not_found"
    status = 404
    default_message = "No such active session."


class WrongPassword(ApplicationError):
    code = "auth.wrong_password"
    status = 400
    default_message = "Your current password is not right."


class PasskeyInvalid(ApplicationError):
    code = "auth.passkey_invalid"
    status = 400
    default_message = "That passkey could not be verified. Try again."


class PasskeyNotFound(ApplicationError):
    code = "auth.passkey_not_found"
    status = 404
    default_message = "No such passkey."


class PasskeyRequired(PermissionDenied):
    code = "auth.passkey_required"
    default_message = "Your role requires a passkey: sign in with it (add one on your security page first)."


class NoPendingSignIn(ApplicationError):
    code = "auth.no_pending_sign_in"
    status = 400
    default_message = "Sign in with your password first."
