"""Vendor adapters, chosen by name: identity vendors (`veriff`, `onfido`) and the viewers' age-estimation vendor
(`agecheck`). Each is on when its settings are (verification/conf.py)."""

from __future__ import annotations

from stagedoor.verification import conf
from stagedoor.verification.vendors.base import Vendor

IDENTITY = ("veriff", "onfido")
AGE_ESTIMATION = "agecheck"


def vendor_get(name: str) -> Vendor | None:
    """The configured adapter called `name`, or None when it is unknown or not configured."""
    if name == "veriff":
        veriff = conf.veriff()
        if veriff is None:
            return None
        from stagedoor.verification.vendors.veriff import VeriffVendor

        return VeriffVendor(veriff)
    if name == "onfido":
        onfido = conf.onfido()
        if onfido is None:
            return None
        from stagedoor.verification.vendors.onfido import OnfidoVendor

        return OnfidoVendor(onfido)
    if name == AGE_ESTIMATION:
        age = conf.age_vendor()
        if age is None:
            return None
        from stagedoor.verification.vendors.agecheck import AgeEstimationVendor

        return AgeEstimationVendor(age)
    return None
