"""Settings from the environment (`STAGEDOOR_*`), validated once at start-up.

Everything the operator can set is parsed here, so a wrong value fails with one
line that names the variable. Nothing in the domain code reads `os.environ`.

One module per concern: `vars` (the machinery: `Var`, the parsers, `ConfigError`), a section per domain
(`streaming`, `money`, `moderation`, `verification`: its variables, its frozen dataclass and the function
that reads it) and `loader` (`Config`, `load`, `check_reachable`). A new section is a new module here,
read in `loader.load()`. Import from the package: everything is re-exported below.
"""

from __future__ import annotations

import os

from stagedoor.core.config.ads import AdsConfig as AdsConfig
from stagedoor.core.config.loader import Config as Config
from stagedoor.core.config.loader import check_reachable as check_reachable
from stagedoor.core.config.loader import load as load
from stagedoor.core.config.moderation import MODERATION_APPEAL_DAYS as MODERATION_APPEAL_DAYS
from stagedoor.core.config.moderation import MODERATION_BREAK_MIN as MODERATION_BREAK_MIN
from stagedoor.core.config.moderation import MODERATION_EXPOSURE_CAP as MODERATION_EXPOSURE_CAP
from stagedoor.core.config.moderation import MODERATION_FRAME_QUEUE as MODERATION_FRAME_QUEUE
from stagedoor.core.config.moderation import MODERATION_FRAME_WORKERS as MODERATION_FRAME_WORKERS
from stagedoor.core.config.moderation import MODERATION_HASH_DISTANCE as MODERATION_HASH_DISTANCE
from stagedoor.core.config.moderation import MODERATION_NUDITY_MODEL as MODERATION_NUDITY_MODEL
from stagedoor.core.config.moderation import MODERATION_REPORTS_PER_HOUR as MODERATION_REPORTS_PER_HOUR
from stagedoor.core.config.moderation import MODERATION_SAMPLE_STANDARD_S as MODERATION_SAMPLE_STANDARD_S
from stagedoor.core.config.moderation import MODERATION_SAMPLE_TRUSTED_S as MODERATION_SAMPLE_TRUSTED_S
from stagedoor.core.config.moderation import MODERATION_SHIFT_HOURS as MODERATION_SHIFT_HOURS
from stagedoor.core.config.moderation import MODERATION_SLA_CRITICAL_MIN as MODERATION_SLA_CRITICAL_MIN
from stagedoor.core.config.moderation import MODERATION_SLA_HIGH_MIN as MODERATION_SLA_HIGH_MIN
from stagedoor.core.config.moderation import MODERATION_SLA_LOW_MIN as MODERATION_SLA_LOW_MIN
from stagedoor.core.config.moderation import MODERATION_SLA_MEDIUM_MIN as MODERATION_SLA_MEDIUM_MIN
from stagedoor.core.config.moderation import MODERATION_TEXT_CATEGORIES as MODERATION_TEXT_CATEGORIES
from stagedoor.core.config.moderation import MODERATION_TEXT_MODEL as MODERATION_TEXT_MODEL
from stagedoor.core.config.moderation import MODERATION_TEXT_POLICY as MODERATION_TEXT_POLICY
from stagedoor.core.config.moderation import FrameScanConfig as FrameScanConfig
from stagedoor.core.config.moderation import ModerationCasesConfig as ModerationCasesConfig
from stagedoor.core.config.moderation import ModerationConfig as ModerationConfig
from stagedoor.core.config.money import BTCPAY_API_KEY as BTCPAY_API_KEY
from stagedoor.core.config.money import BTCPAY_STORE_ID as BTCPAY_STORE_ID
from stagedoor.core.config.money import BTCPAY_URL as BTCPAY_URL
from stagedoor.core.config.money import BTCPAY_WEBHOOK_SECRET as BTCPAY_WEBHOOK_SECRET
from stagedoor.core.config.money import CHARGEBACK_POLICIES as CHARGEBACK_POLICIES
from stagedoor.core.config.money import PAYMENTS_SANDBOX as PAYMENTS_SANDBOX
from stagedoor.core.config.money import PAYMENTS_SANDBOX_DELIVERY as PAYMENTS_SANDBOX_DELIVERY
from stagedoor.core.config.money import VEROTEL_SHOP_ID as VEROTEL_SHOP_ID
from stagedoor.core.config.money import VEROTEL_SIGNATURE_KEY as VEROTEL_SIGNATURE_KEY
from stagedoor.core.config.money import VEROTEL_STARTORDER_URL as VEROTEL_STARTORDER_URL
from stagedoor.core.config.money import WALLET_CHARGEBACK_POLICY as WALLET_CHARGEBACK_POLICY
from stagedoor.core.config.money import WALLET_HOLD_DAYS as WALLET_HOLD_DAYS
from stagedoor.core.config.money import WALLET_MAX_TIP as WALLET_MAX_TIP
from stagedoor.core.config.money import WALLET_PAYOUT_CURRENCY as WALLET_PAYOUT_CURRENCY
from stagedoor.core.config.money import WALLET_PAYOUT_RATE_MINOR as WALLET_PAYOUT_RATE_MINOR
from stagedoor.core.config.money import WALLET_PERFORMER_SHARE_BP as WALLET_PERFORMER_SHARE_BP
from stagedoor.core.config.money import WALLET_ROLLUP_EVERY as WALLET_ROLLUP_EVERY
from stagedoor.core.config.money import PaymentsConfig as PaymentsConfig
from stagedoor.core.config.money import WalletConfig as WalletConfig
from stagedoor.core.config.payouts import PAYOUTS_FOUR_EYES_ABOVE_MINOR as PAYOUTS_FOUR_EYES_ABOVE_MINOR
from stagedoor.core.config.payouts import PAYOUTS_MINIMUM_TOKENS as PAYOUTS_MINIMUM_TOKENS
from stagedoor.core.config.payouts import PAYOUTS_PERIOD_DAYS as PAYOUTS_PERIOD_DAYS
from stagedoor.core.config.payouts import PAYOUTS_RESERVE_BP as PAYOUTS_RESERVE_BP
from stagedoor.core.config.payouts import PAYOUTS_RESERVE_DAYS as PAYOUTS_RESERVE_DAYS
from stagedoor.core.config.payouts import PAYOUTS_SANCTIONS_LIST as PAYOUTS_SANCTIONS_LIST
from stagedoor.core.config.payouts import PAYOUTS_SANCTIONS_THRESHOLD as PAYOUTS_SANCTIONS_THRESHOLD
from stagedoor.core.config.payouts import PAYOUTS_SEPA_DEBTOR_BIC as PAYOUTS_SEPA_DEBTOR_BIC
from stagedoor.core.config.payouts import PAYOUTS_SEPA_DEBTOR_IBAN as PAYOUTS_SEPA_DEBTOR_IBAN
from stagedoor.core.config.payouts import PAYOUTS_SEPA_DEBTOR_NAME as PAYOUTS_SEPA_DEBTOR_NAME
from stagedoor.core.config.payouts import PAYOUTS_VARS as PAYOUTS_VARS
from stagedoor.core.config.payouts import PayoutsConfig as PayoutsConfig
from stagedoor.core.config.privacy import PRIVACY_ERASURE_GRACE_DAYS as PRIVACY_ERASURE_GRACE_DAYS
from stagedoor.core.config.privacy import PRIVACY_EXPORT_LINK_HOURS as PRIVACY_EXPORT_LINK_HOURS
from stagedoor.core.config.privacy import PRIVACY_REQUEST_DAYS as PRIVACY_REQUEST_DAYS
from stagedoor.core.config.privacy import RETENTION_VARS as RETENTION_VARS
from stagedoor.core.config.privacy import PrivacyConfig as PrivacyConfig
from stagedoor.core.config.shows import FANS_GRACE_DAYS as FANS_GRACE_DAYS
from stagedoor.core.config.shows import FANS_MESSAGE_PRICE_MAX as FANS_MESSAGE_PRICE_MAX
from stagedoor.core.config.shows import FANS_PERIOD_DAYS as FANS_PERIOD_DAYS
from stagedoor.core.config.shows import FANS_PRICE_MAX as FANS_PRICE_MAX
from stagedoor.core.config.shows import FANS_PRICE_MIN as FANS_PRICE_MIN
from stagedoor.core.config.shows import FANS_UPLOAD_MAX_MB as FANS_UPLOAD_MAX_MB
from stagedoor.core.config.shows import FANS_VARS as FANS_VARS
from stagedoor.core.config.shows import SHOWS_BILL_AHEAD_S as SHOWS_BILL_AHEAD_S
from stagedoor.core.config.shows import SHOWS_HEARTBEAT_S as SHOWS_HEARTBEAT_S
from stagedoor.core.config.shows import SHOWS_JANUS_API_SECRET as SHOWS_JANUS_API_SECRET
from stagedoor.core.config.shows import SHOWS_JANUS_BIN as SHOWS_JANUS_BIN
from stagedoor.core.config.shows import SHOWS_JANUS_PORT as SHOWS_JANUS_PORT
from stagedoor.core.config.shows import SHOWS_JANUS_URL as SHOWS_JANUS_URL
from stagedoor.core.config.shows import SHOWS_MINUTE_SECONDS as SHOWS_MINUTE_SECONDS
from stagedoor.core.config.shows import SHOWS_PUBLIC_IP as SHOWS_PUBLIC_IP
from stagedoor.core.config.shows import SHOWS_RATE_MAX as SHOWS_RATE_MAX
from stagedoor.core.config.shows import SHOWS_RATE_MIN as SHOWS_RATE_MIN
from stagedoor.core.config.shows import SHOWS_REQUEST_TIMEOUT_S as SHOWS_REQUEST_TIMEOUT_S
from stagedoor.core.config.shows import SHOWS_RTP_PORTS as SHOWS_RTP_PORTS
from stagedoor.core.config.shows import SHOWS_STUN_URL as SHOWS_STUN_URL
from stagedoor.core.config.shows import SHOWS_TICKET_MAX as SHOWS_TICKET_MAX
from stagedoor.core.config.shows import SHOWS_TURN_CREDENTIAL as SHOWS_TURN_CREDENTIAL
from stagedoor.core.config.shows import SHOWS_TURN_URL as SHOWS_TURN_URL
from stagedoor.core.config.shows import SHOWS_TURN_USERNAME as SHOWS_TURN_USERNAME
from stagedoor.core.config.shows import SHOWS_VARS as SHOWS_VARS
from stagedoor.core.config.shows import SHOWS_WARN_MINUTES as SHOWS_WARN_MINUTES
from stagedoor.core.config.shows import FansConfig as FansConfig
from stagedoor.core.config.shows import ShowsConfig as ShowsConfig
from stagedoor.core.config.streaming import CHAT_PORT as CHAT_PORT
from stagedoor.core.config.streaming import DEMO_PERFORMER as DEMO_PERFORMER
from stagedoor.core.config.streaming import FFMPEG as FFMPEG
from stagedoor.core.config.streaming import HOST as HOST
from stagedoor.core.config.streaming import PORT as PORT
from stagedoor.core.config.streaming import RTMP_HOST as RTMP_HOST
from stagedoor.core.config.streaming import RTMP_PORT as RTMP_PORT
from stagedoor.core.config.streaming import RTMP_PUBLIC_URL as RTMP_PUBLIC_URL
from stagedoor.core.config.streaming import RTMPS_CERT as RTMPS_CERT
from stagedoor.core.config.streaming import RTMPS_KEY as RTMPS_KEY
from stagedoor.core.config.streaming import RTMPS_PORT as RTMPS_PORT
from stagedoor.core.config.streaming import STREAM_GRACE_S as STREAM_GRACE_S
from stagedoor.core.config.streaming import ServerConfig as ServerConfig
from stagedoor.core.config.streaming import StreamingConfig as StreamingConfig
from stagedoor.core.config.support import SUPPORT_ATTACHMENT_MAX_MB as SUPPORT_ATTACHMENT_MAX_MB
from stagedoor.core.config.support import SUPPORT_MAILGUN_SIGNING_KEY as SUPPORT_MAILGUN_SIGNING_KEY
from stagedoor.core.config.support import SUPPORT_SMTP_PORT as SUPPORT_SMTP_PORT
from stagedoor.core.config.support import SUPPORT_VARS as SUPPORT_VARS
from stagedoor.core.config.support import SupportConfig as SupportConfig
from stagedoor.core.config.vars import PREFIX as PREFIX
from stagedoor.core.config.vars import ConfigError as ConfigError
from stagedoor.core.config.vars import Parser as Parser
from stagedoor.core.config.vars import Var as Var
from stagedoor.core.config.vars import require_together as require_together
from stagedoor.core.config.verification import VERIFICATION_AGE_API_KEY as VERIFICATION_AGE_API_KEY
from stagedoor.core.config.verification import VERIFICATION_AGE_REMEMBER_DAYS as VERIFICATION_AGE_REMEMBER_DAYS
from stagedoor.core.config.verification import VERIFICATION_AGE_SECRET as VERIFICATION_AGE_SECRET
from stagedoor.core.config.verification import VERIFICATION_AGE_URL as VERIFICATION_AGE_URL
from stagedoor.core.config.verification import VERIFICATION_ID_CHECK_VENDOR as VERIFICATION_ID_CHECK_VENDOR
from stagedoor.core.config.verification import VERIFICATION_ONFIDO_API_TOKEN as VERIFICATION_ONFIDO_API_TOKEN
from stagedoor.core.config.verification import VERIFICATION_ONFIDO_URL as VERIFICATION_ONFIDO_URL
from stagedoor.core.config.verification import VERIFICATION_ONFIDO_WEBHOOK_TOKEN as VERIFICATION_ONFIDO_WEBHOOK_TOKEN
from stagedoor.core.config.verification import VERIFICATION_ONFIDO_WORKFLOW_ID as VERIFICATION_ONFIDO_WORKFLOW_ID
from stagedoor.core.config.verification import VERIFICATION_RECORDS_YEARS as VERIFICATION_RECORDS_YEARS
from stagedoor.core.config.verification import (
    VERIFICATION_RECOVERY_COOLING_HOURS as VERIFICATION_RECOVERY_COOLING_HOURS,
)
from stagedoor.core.config.verification import VERIFICATION_REQUEST_DAYS as VERIFICATION_REQUEST_DAYS
from stagedoor.core.config.verification import VERIFICATION_REVERIFY_DAYS as VERIFICATION_REVERIFY_DAYS
from stagedoor.core.config.verification import VERIFICATION_UPLOAD_MAX_MB as VERIFICATION_UPLOAD_MAX_MB
from stagedoor.core.config.verification import VERIFICATION_VARS as VERIFICATION_VARS
from stagedoor.core.config.verification import VERIFICATION_VERIFF_API_KEY as VERIFICATION_VERIFF_API_KEY
from stagedoor.core.config.verification import VERIFICATION_VERIFF_SECRET as VERIFICATION_VERIFF_SECRET
from stagedoor.core.config.verification import VERIFICATION_VERIFF_URL as VERIFICATION_VERIFF_URL
from stagedoor.core.config.verification import VERIFICATION_VIEW_LINK_S as VERIFICATION_VIEW_LINK_S
from stagedoor.core.config.verification import VERIFICATION_WARN_DAYS as VERIFICATION_WARN_DAYS
from stagedoor.core.config.verification import VerificationConfig as VerificationConfig

SETTINGS_MODULE = "stagedoor.settings"


def use_stagedoor_settings() -> None:
    """Point Django at Stagedoor's settings (the one place outside settings.py that touches the environment:
    the command line, the ASGI app and the Celery app call it before Django starts)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
