"""Where a viewer is: IP address → country (and subdivision when the data has it).

The embedded default uses the data that ships inside the `geoip2fast` package (no
download). An operator may point `STAGEDOOR_GEOIP_MMDB` at a MaxMind GeoIP2/GeoLite2
City or Country database for subdivisions (needs the `maxminddb` package), or, behind a
CDN that adds the viewer's country as a header, name it in `STAGEDOOR_GEO_HEADER`
(e.g. `CF-IPCountry`).
"""

from __future__ import annotations

import functools
import ipaddress
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest


@dataclass(frozen=True)
class Location:
    country: str  # ISO 3166-1 alpha-2, "" when unknown
    subdivision: str = ""  # ISO 3166-2 like "US-TX", "" when unknown

    def matches(self, region: str) -> bool:
        region = region.upper()
        if "-" in region:
            return bool(self.subdivision) and self.subdivision == region
        return bool(self.country) and self.country == region


UNKNOWN = Location("")


@functools.lru_cache(maxsize=1)
def _geoip2fast():  # type: ignore[no-untyped-def]
    from geoip2fast import GeoIP2Fast

    return GeoIP2Fast(verbose=False)


@functools.lru_cache(maxsize=1)
def _mmdb(path: str):  # type: ignore[no-untyped-def]
    import maxminddb

    return maxminddb.open_database(path)


@functools.lru_cache(maxsize=65536)
def locate(ip: str) -> Location:
    try:
        addr = ipaddress.ip_address(ip)
    except ValueError:
        return UNKNOWN
    if addr.is_private or addr.is_loopback or addr.is_link_local:
        return UNKNOWN
    mmdb_path = settings.STAGEDOOR.geoip_mmdb
    if mmdb_path:
        record = _mmdb(mmdb_path).get(ip) or {}
        country = (record.get("country") or {}).get("iso_code") or ""
        subs = record.get("subdivisions") or []
        sub = f"{country}-{subs[0]['iso_code']}" if subs and country else ""
        return Location(country.upper(), sub.upper())
    result = _geoip2fast().lookup(ip)
    code = (getattr(result, "country_code", "") or "").upper()
    if len(code) != 2 or not code.isalpha() or code in {"--", "XX"}:
        return UNKNOWN
    return Location(code)


def location_for_request(request: HttpRequest) -> Location:
    header = settings.STAGEDOOR.geo_header
    if header:
        value = request.headers.get(header, "").strip().upper()
        if len(value) == 2 and value.isalpha():
            return Location(value)
    return locate(str(request.META.get("REMOTE_ADDR") or ""))


def is_blocked(location: Location, blocked_regions: list[str]) -> bool:
    return any(location.matches(region) for region in blocked_regions)
