"""The self-hostable memtray hub (``memtray hub serve``): stores each vault's ciphertext objects.

HTTP API (JSON errors are ``{"error": {"code", "message"}}``; tokens only in ``Authorization: Bearer``):

- ``POST /v1/vaults`` redeem a vault-creation invite (7 days, from ``memtray hub invite``) → first device's token
- ``POST /v1/vaults/{vault}/devices`` redeem a device invite → token
- ``POST /v1/vaults/{vault}/invites`` a one-time device invite (7 days, at most 5 unused per device)
- ``GET /v1/vaults/{vault}/devices``, ``DELETE /v1/vaults/{vault}/devices/{device}`` list, revoke (only
  devices enrolled after the caller; never itself or the last device; 403 ``revoke_refused``)
- ``PUT|GET|DELETE /v1/vaults/{vault}/objects/{key}`` create-only put, get, delete own
- ``GET /v1/vaults/{vault}/objects?prefix=&after=&limit=`` one page of keys and ``next_after``
- ``GET /v1/vaults/{vault}/changes?cursor=&timeout=`` long-poll on the vault's change counter
- ``GET /healthz``, ``GET /v1/info``, ``GET /openapi.json``

Containment: redemptions are rate-limited per address, per invite prefix and hub-wide for failures
(``ratelimit``) before their body is read (``gates``); connections are capped below the open-file
limit with idle ones closed first and a header deadline (``connections``); long-polls are capped
(``changes``). ``memtray hub serve`` logs to stderr only.
"""
