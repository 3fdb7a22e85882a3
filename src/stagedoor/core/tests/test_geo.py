"""Region lookup: the country data that ships inside geoip2fast, and region matching."""

from __future__ import annotations

from stagedoor.core.geo import UNKNOWN, Location, locate


def test_geoip_data_ships_in_the_package() -> None:
    assert locate("8.8.8.8") == Location("US")
    assert locate("81.2.69.142") == Location("GB")
    assert locate("127.0.0.1") == UNKNOWN
    assert locate("not-an-ip") == UNKNOWN
    assert Location("US", "US-TX").matches("us-tx") and Location("US", "US-TX").matches("US")
    assert not Location("US").matches("US-TX")
