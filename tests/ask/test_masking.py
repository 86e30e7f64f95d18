"""What ``memtray mcp`` hides: every line the secret guard flags, and a private key's whole block."""

from __future__ import annotations

from memtray.ask.masking import hidden_note, mask_secrets

KEY_BODY = ["MIIEowIBAAKCAQEA" + "q" * 48, "Zm9vYmFy" * 8, "=="]


def test_a_private_key_is_hidden_from_its_begin_line_to_its_end_line() -> None:
    block = ["-----BEGIN RSA PRIVATE KEY-----", *KEY_BODY, "-----END RSA PRIVATE KEY-----"]
    text = "\n".join(["Deploy key:", *block, "ok"])
    masked = mask_secrets(text).split("\n")
    assert masked == ["Deploy key:", *[hidden_note("a private key")] * 5, "ok"]


def test_each_line_with_a_key_is_hidden_and_the_rest_kept() -> None:
    anthropic = "sk-ant-api03-" + "A1b2C3d4E5" * 3
    github = "ghp_" + "x9Y8" * 9
    text = f"Use pytest.\nANTHROPIC_API_KEY={anthropic}\nthe token is {github} for CI\nThe end."
    assert mask_secrets(text) == (
        f"Use pytest.\n{hidden_note('an Anthropic API key')}\n{hidden_note('a GitHub token')}\nThe end."
    )


def test_a_mere_mention_of_a_key_line_is_not_hidden() -> None:
    text = "Never paste -----BEGIN OPENSSH PRIVATE KEY----- lines into notes.\npassword: changeme (the dev database)\n"
    assert mask_secrets(text) == text
