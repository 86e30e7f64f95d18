"""memtray writes and deletes its keychain items straight on the Secret Service, over one connection, stored
exactly as ``keyring`` stores them: each side reads, replaces and deletes what the other wrote. Against the test
session's real gnome-keyring."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import closing

import keyring
import pytest
import secretstorage

from memtray.keychain import CHUNK_CHARS, Keychain
from tests.support.imports import loaded_after


@pytest.fixture
def scope() -> Iterator[str]:
    name = f"writes-{uuid.uuid4().hex}"
    yield name
    Keychain(name).delete("item")


def _stored_items(service: str) -> dict[str, tuple[str, dict[str, str]]]:
    """Every item of ``service`` in the default collection: its secret, label and attributes by user name.
    gnome-keyring itself sometimes adds an ``xdg:schema`` attribute; nobody searches by it, so it is left out."""
    with closing(secretstorage.dbus_init()) as bus:
        collection = secretstorage.get_default_collection(bus)
        found = {}
        for item in collection.search_items({"service": service}):
            attributes = {name: value for name, value in item.get_attributes().items() if name != "xdg:schema"}
            found[attributes["username"]] = (item.get_secret().decode(), {**attributes, "label": item.get_label()})
        return found


def test_an_item_memtray_writes_is_the_item_keyring_would_have_written(scope: str) -> None:
    chain = Keychain(scope)
    chain.set("item", "first value")
    written = _stored_items(chain.service)
    keyring.get_keyring().set_password(chain.service, "reference", "first value")
    reference = _stored_items(chain.service)["reference"]
    assert written["item"][0] == "first value"
    assert written["item"][1] == {
        **reference[1],
        "username": "item",
        "label": reference[1]["label"].replace("'reference'", "'item'"),
    }
    assert keyring.get_keyring().get_password(chain.service, "item") == "first value"
    keyring.get_keyring().delete_password(chain.service, "reference")


def test_replacing_and_deleting_leave_exactly_one_item_then_none(scope: str) -> None:
    chain = Keychain(scope)
    keyring.get_keyring().set_password(chain.service, "item", "written by keyring")
    chain.set("item", "written by memtray")
    assert list(_stored_items(chain.service)) == ["item"]
    assert keyring.get_keyring().get_password(chain.service, "item") == "written by memtray"
    chain.delete("item")
    assert _stored_items(chain.service) == {}
    assert keyring.get_keyring().get_password(chain.service, "item") is None


def test_a_long_value_is_kept_in_parts_and_a_shorter_one_removes_them(scope: str) -> None:
    chain = Keychain(scope)
    long_value = "k" * (2 * CHUNK_CHARS + 7)
    chain.set("item", long_value)
    parts = _stored_items(chain.service)
    assert sorted(parts) == ["item", "item#0", "item#1", "item#2"]
    assert "".join(parts[f"item#{i}"][0] for i in range(3)) == long_value
    assert chain.get("item") == long_value
    chain.set("item", "short")
    assert {name: secret for name, (secret, _) in _stored_items(chain.service).items()} == {"item": "short"}


def test_a_command_line_run_writes_and_deletes_without_loading_keyring(scope: str) -> None:
    program = (
        "from memtray.keychain import Keychain\n"
        f"chain = Keychain({scope!r})\n"
        "chain.set('item', 'x' * 2500)\n"
        "chain.set('item', 'value')\n"
        "assert chain.get('item') == 'value'\n"
        "chain.delete('item')\n"
        "assert chain.get('item') is None\n"
    )
    assert loaded_after(program, ("keyring",)) == []
    assert _stored_items(Keychain(scope).service) == {}
