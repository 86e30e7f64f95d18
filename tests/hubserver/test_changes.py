"""The long-poll change feed: a push on one laptop wakes a waiting one."""

from __future__ import annotations

import threading

from tests.hubserver.conftest import Vault, make_vault, seq_key
from tests.servers.http_hub import RunningHub

LONG_WAIT = 45.0


def test_none_cursor_answers_at_once_with_the_current_cursor(vault: Vault) -> None:
    start = vault.b.wait_for_change(None, LONG_WAIT)
    vault.a.put_new(seq_key(vault.a.device_id or "", 1), b"x")
    assert vault.b.wait_for_change(None, LONG_WAIT) == str(int(start or "0") + 1)


def test_waiting_laptop_is_woken_by_a_push(vault: Vault) -> None:
    cursor = vault.b.wait_for_change(None, 0)
    waiting = threading.Event()
    result: dict[str, str | None] = {}

    def wait() -> None:
        waiting.set()
        result["cursor"] = vault.b.wait_for_change(cursor, LONG_WAIT)

    waiter = threading.Thread(target=wait)
    waiter.start()
    assert waiting.wait(10)
    assert vault.b.wait_for_change(cursor, 0.3) == cursor
    vault.a.put_new(seq_key(vault.a.device_id or "", 1), b"x")
    waiter.join(LONG_WAIT / 2)
    assert not waiter.is_alive(), "the waiting laptop was not woken by the push"
    assert result["cursor"] is not None
    assert int(result["cursor"]) > int(cursor or "0")


def test_wait_times_out_with_the_same_cursor(vault: Vault) -> None:
    cursor = vault.a.wait_for_change(None, 0)
    assert vault.a.wait_for_change(cursor, 0.2) == cursor


def test_delete_counts_as_a_change_and_other_vaults_do_not(vault: Vault, hub: RunningHub) -> None:
    other = make_vault(hub)
    key = seq_key(vault.a.device_id or "", 1)
    vault.a.put_new(key, b"x")
    cursor = vault.b.wait_for_change(None, 0)
    other.a.put_new(seq_key(other.a.device_id or "", 1), b"elsewhere")
    assert vault.b.wait_for_change(cursor, 0.2) == cursor
    vault.a.delete(key)
    assert vault.b.wait_for_change(cursor, LONG_WAIT) != cursor
