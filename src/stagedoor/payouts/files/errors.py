"""Errors of the payout files: each a stable code and a sentence naming the line, the payee or the message."""

from __future__ import annotations

from stagedoor.core.errors import ApplicationError


class PayoutFileError(ApplicationError):
    code = "payouts.file_invalid"
    status = 422
    default_message = "The payout file could not be built."


class InvalidPayoutLine(PayoutFileError):
    code = "payouts.invalid_line"
    default_message = "A payout line is not valid."


class InvalidEndToEndId(InvalidPayoutLine):
    code = "payouts.invalid_end_to_end_id"
    default_message = "An end-to-end id must be 1–35 characters of the SEPA identifier set."


class EmptyBatch(PayoutFileError):
    code = "payouts.empty_batch"
    default_message = "A payout batch needs at least one line."


class UnsupportedCurrency(PayoutFileError):
    code = "payouts.unsupported_currency"
    default_message = "This payout method does not pay in that currency."


class InvalidIban(PayoutFileError):
    code = "payouts.invalid_iban"
    default_message = "An IBAN is not valid."


class InvalidBic(PayoutFileError):
    code = "payouts.invalid_bic"
    default_message = "A BIC is not valid."


class WrongPayoutMethod(PayoutFileError):
    code = "payouts.wrong_method"
    default_message = "A line's destination does not belong in this file."


class SepaSchemaInvalid(PayoutFileError):
    code = "payouts.sepa_schema_invalid"
    default_message = "The SEPA file does not validate against the pain.001.001.03 schema."


class ReportUnreadable(ApplicationError):
    code = "payouts.report_unreadable"
    status = 400
    default_message = "The bank file could not be read."


class ReportUnknownBatch(ApplicationError):
    code = "payouts.report_unknown_batch"
    status = 422
    default_message = "The bank file names a payout batch we never sent."


class ReportUnknownTransaction(ApplicationError):
    code = "payouts.report_unknown_transaction"
    status = 422
    default_message = "The bank file names a payment we never sent."
