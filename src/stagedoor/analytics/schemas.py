"""API schemas of analytics: the dashboards' series, day by day (UTC), oldest first."""

from __future__ import annotations

from ninja import Schema


class SeriesOut(Schema):
    key: str
    label: str
    values: list[int]


class SupporterOut(Schema):
    name: str
    tokens: int
    payments: int
    anonymous: bool


class PerformerDashboardOut(Schema):
    days: int
    labels: list[str]
    earnings: list[SeriesOut]
    earnings_total: int
    supporters: list[SupporterOut]
    minutes: list[int]
    show_tokens: list[int]
    payers: list[int]
    chatters: list[int]
    conversion: list[float | None]
    complete: bool


class ProviderRateOut(Schema):
    provider: str
    purchases: int
    chargebacks: int
    rate: float | None


class FinanceDashboardOut(Schema):
    days: int
    labels: list[str]
    sales_tokens: list[int]
    sales_money: dict[str, list[int]]
    revenue: list[SeriesOut]
    revenue_total: dict[str, int]
    providers: list[ProviderRateOut]
    earnings_owed: int
    wallets: int
    holds: int
    liabilities: list[int]
    complete: bool
