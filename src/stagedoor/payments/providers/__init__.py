"""Payment provider adapters, chosen by name."""

from __future__ import annotations

from stagedoor.payments import conf
from stagedoor.payments.errors import ProviderNotAvailable
from stagedoor.payments.providers.base import Provider

NAMES = ("sandbox", "verotel", "btcpay")


def provider_get(name: str) -> Provider:
    if name not in conf.enabled_providers():
        raise ProviderNotAvailable(extra={"provider": name, "available": conf.enabled_providers()})
    if name == "sandbox":
        from stagedoor.payments.providers.sandbox import SandboxProvider

        return SandboxProvider()
    if name == "verotel":
        from stagedoor.payments.providers.verotel import VerotelProvider

        config = conf.verotel()
        assert config is not None
        return VerotelProvider(config)
    from stagedoor.payments.providers.btcpay import BTCPayProvider

    btc = conf.btcpay()
    assert btc is not None
    return BTCPayProvider(btc)
