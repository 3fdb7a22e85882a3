"""Audit actions of the wallet, in one place. (Outbox topics and their payloads are in `events.py`.)"""

# Audit actions
AUDIT_PACKAGE_CREATED = "wallet.package_created"
AUDIT_PACKAGE_UPDATED = "wallet.package_updated"
AUDIT_TIP_REFUNDED = "wallet.tip_refunded"
AUDIT_PROMO_GRANTED = "wallet.promotion_granted"
AUDIT_TERMS_SET = "wallet.performer_terms_set"
AUDIT_PURCHASE_REFUNDED = "wallet.purchase_refunded"
AUDIT_PURCHASE_CHARGED_BACK = "wallet.purchase_charged_back"
AUDIT_MENU_ITEM_MOVED = "wallet.tip_menu_item_moved"
AUDIT_GOAL_UPDATED = "wallet.tip_goal_updated"
AUDIT_GOAL_MOVED = "wallet.tip_goal_moved"
