"""Which hub this laptop uses: trying an address, moving to another, and the change feed's own connection.

A certificate pin belongs to an address: it stays while the address does, a new fingerprint is pinned only
once the hub shows that certificate, and a new address drops it.
"""

from __future__ import annotations

from dataclasses import replace

from memtray.hubs import hub_kind, normalise_hub_url
from memtray.hubs.base import ChangeFeed
from memtray.hubs.git import GitRepoHub
from memtray.service import keyfile
from memtray.service.base import HUB_SECRET, ServiceBase, open_hub_for, pin_for
from memtray.service.config import Config


class HubSettings:
    def __init__(self, service: ServiceBase) -> None:
        self._service = service

    def hub_info(self) -> tuple[str, str]:
        url = self._service.config.hub_url
        return hub_kind(url), url

    def set_hub(self, url: str, secret: str | None, tls_fingerprint: str | None = None) -> None:
        """Use the hub at ``url``; a new certificate pin is tried on the hub before it is kept."""
        service = self._service
        config = service.config
        url = normalise_hub_url(url)
        pin = pin_for(url, tls_fingerprint)
        if pin is not None:
            trial = open_hub_for(replace(config, hub_url=url, tls_fingerprint=pin), secret or service.secret())
            try:
                keyfile.latest_on_hub(trial)
            finally:
                trial.close()
        if pin is not None or url != config.hub_url:
            config.tls_fingerprint = pin
        config.hub_url = url
        if secret is not None:
            service.remember(HUB_SECRET, secret, required=True)
        service.save_config()
        service.drop_hub()

    def test_hub(
        self,
        url: str | None = None,
        secret: str | None = None,
        allow_insecure_http: bool = False,
        tls_fingerprint: str | None = None,
    ) -> str:
        """A sentence on what memtray found at ``url`` (default: this laptop's hub)."""
        service = self._service
        config = service.config_if_set_up
        if url is None:
            hub = service.hub()
        else:
            url = normalise_hub_url(url)
            kept_pin = config.tls_fingerprint if config is not None and url == config.hub_url else None
            trial = Config(
                config.vault_id if config else "",
                config.device_id if config else "",
                "",
                url,
                allow_insecure_http,
                pin_for(url, tls_fingerprint) or kept_pin,
            )
            hub = open_hub_for(trial, secret)
        found = keyfile.latest_on_hub(hub)
        if isinstance(hub, GitRepoHub):
            hub.check_write_access()  # a token that only reads passes the read above; say so now, not at first sync
        if found is None:
            return "memtray reached the hub. It holds no vault yet."
        if config is not None and found.vault_id == config.vault_id:
            return "memtray reached the hub and found your vault."
        return "memtray reached the hub. It holds a memtray vault."

    def change_feed(self) -> ChangeFeed | None:
        """A connection of its own to the hub's change feed (it blocks in long-polls), if the hub has one."""
        service = self._service
        hub = open_hub_for(service.config, service.secret())
        if isinstance(hub, ChangeFeed):
            return hub
        hub.close()
        return None
