"""The vault's laptops: seen in the logs, and on a memtray hub also enrolled there; with each one's key
fingerprint and whether it is a member, as the roster this laptop last verified has it (removing one: removal.py).

A laptop's name travels inside its log entries (see memtray/sync/engine.py ``_apply_entry``): ``rename`` changes
this laptop's config, and its next sync sends an entry with the new name even when no file changed (publish.py).
"""

from __future__ import annotations

from dataclasses import replace

from memtray.errors import UsageError
from memtray.hubs.base import Enrollment
from memtray.laptop_name import clean_laptop_name
from memtray.model import DeviceInfo
from memtray.service.base import ServiceBase
from memtray.service.membership import ROSTER_MEMBERS, roster_summary

UNNAMED_DEVICE = "Another laptop (its name arrives with the next sync)"


class Devices:
    def __init__(self, service: ServiceBase) -> None:
        self._service = service

    def devices(self) -> list[DeviceInfo]:
        """Laptops seen in the logs, plus (on a memtray hub) the ones the hub enrolled, with revocations."""
        config = self._service.config
        me = config.device_id
        found = {
            device.device_id: DeviceInfo(
                device.device_id,
                config.device_name if device.device_id == me else device.name,
                device.platform,
                device.last_seen,
                device.device_id == me,
            )
            for device in self._service.index.devices()
        }
        hub = self._service.hub()
        if isinstance(hub, Enrollment):
            for enrolled in hub.list_devices():
                known = found.get(enrolled.device_id)
                found[enrolled.device_id] = DeviceInfo(
                    enrolled.device_id,
                    known.name if known else UNNAMED_DEVICE,
                    known.platform if known else "",
                    max(filter(None, (enrolled.last_seen, known.last_seen if known else None)), default=None),
                    enrolled.device_id == me,
                    enrolled.revoked,
                )
        strict, members = roster_summary(self._service.index.get_meta(ROSTER_MEMBERS))
        for device_id, device in found.items():
            _, fingerprint, removed = members.get(device_id, ("", "", strict))
            found[device_id] = replace(device, fingerprint=fingerprint, member=not removed)
        return sorted(found.values(), key=lambda device: (not device.this_device, device.name.lower()))

    def find(self, name_or_id: str) -> DeviceInfo:
        """The one other laptop called ``name_or_id`` (or with that device id); UsageError otherwise."""
        matches = [d for d in self.devices() if name_or_id in (d.name, d.device_id)]
        if not matches:
            raise UsageError(f"There is no laptop called '{name_or_id}' in your synced memory.")
        if len(matches) > 1:
            raise UsageError(f"More than one laptop is called '{name_or_id}'. Use its device id instead.")
        if matches[0].this_device:
            raise UsageError("A laptop cannot remove itself. Do it from another of your laptops.")
        return matches[0]

    def rename(self, name: str) -> str:
        """Call this laptop ``name`` (tidied by ``clean_laptop_name``); the others learn it at its next sync."""
        service = self._service
        service.config.device_name = clean_laptop_name(name)
        service.save_config()
        return service.config.device_name
