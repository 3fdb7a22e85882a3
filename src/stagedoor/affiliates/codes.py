"""Audit actions of affiliates (one place, like every app's event and error codes)."""

AUDIT_AFFILIATE_CREATED = "affiliates.affiliate_created"
AUDIT_AFFILIATE_UPDATED = "affiliates.affiliate_updated"
AUDIT_PLAN_CREATED = "affiliates.plan_created"
AUDIT_COMMISSION_RELEASED = "affiliates.commission_released"
AUDIT_COMMISSION_VOIDED = "affiliates.commission_voided"
AUDIT_COMMISSION_HELD = "affiliates.commission_held"
