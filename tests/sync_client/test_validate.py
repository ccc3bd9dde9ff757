"""`license-sync validate` on files written by hand and on encrypted files, with the right and a wrong key."""
from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from export_format import encrypt_users, load_public_key
from sync_client.cli import main

HANDWRITTEN = {
    "format": "ghes-license-usage", "format_version": 1, "generated_at": "2026-11-28T10:00:00Z",
    "instance": {"server_id": "8e1f6a2b-9c3d-4e5f-a6b7-c8d9e0f1a2b3", "host_name": "ghes-1.acme.example",
                 "version": "3.15.2", "http_only": False, "license": "sha256:" + "ab" * 32,
                 "public_key": "-----BEGIN PUBLIC KEY-----\nTEST\n-----END PUBLIC KEY-----\n", "features": []},
    "users": [{"id": 1, "emails": [{"address": "ada@acme.example", "primary": True}]},
              {"id": 2, "emails": [{"address": "grace@acme.example", "primary": True},
                                   {"address": "grace@home.example", "primary": False}]}],
}


@pytest.fixture(autouse=True)
def wide(monkeypatch):
    """Keep rich from wrapping the lines the tests read."""
    monkeypatch.setenv("COLUMNS", "200")


def encrypted(doc: dict) -> dict:
    """The same document with its users encrypted to the test key (the default form)."""
    out = {k: v for k, v in doc.items() if k != "users"}
    out.update(encrypt_users(json.dumps(doc["users"]).encode(), load_public_key(),
                             doc["instance"]["server_id"].encode()))
    return out


def test_a_hand_written_plain_file_is_valid(tmp_path, capsys):
    """Nothing but the documented keys, typed by a person: exit 0 and a one-line verdict."""
    path = tmp_path / "hand.json"
    path.write_text(json.dumps(HANDWRITTEN, indent=2))
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert "is a valid export (plain, 2 users" in out


def test_an_encrypted_file_is_opened_with_the_default_test_key(tmp_path, capsys):
    """The users inside an encrypted file are judged too, with the test key unless told otherwise."""
    path = tmp_path / "enc.json"
    path.write_text(json.dumps(encrypted(HANDWRITTEN)))
    assert main(["validate", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] and data["encrypted"] and data["users"] == 2


def test_an_encrypted_file_with_a_bad_user_inside_fails(tmp_path, capsys):
    """A problem hidden in the ciphertext is found once the users are decrypted."""
    doc = json.loads(json.dumps(HANDWRITTEN))
    doc["users"][1]["emails"][1]["primary"] = True
    path = tmp_path / "enc-bad.json"
    path.write_text(json.dumps(encrypted(doc)))
    assert main(["validate", str(path)]) == 1
    assert "primary" in capsys.readouterr().out


def test_another_private_key_is_taken_from_the_flag(tmp_path, capsys):
    """--ghec-private-key: a key that does not match says which key the file was encrypted for."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = tmp_path / "other.pem"
    pem.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
    path = tmp_path / "enc.json"
    path.write_text(json.dumps(encrypted(HANDWRITTEN)))
    assert main(["validate", str(path), "--ghec-private-key", str(pem), "--json"]) == 1
    problems = json.loads(capsys.readouterr().out)["problems"]
    assert any(p["path"] == "$.encryption.key_id" for p in problems)


def test_a_missing_key_file_is_a_usage_error(tmp_path, capsys):
    """A wrong --ghec-private-key path is one line and exit 2."""
    path = tmp_path / "hand.json"
    path.write_text(json.dumps(HANDWRITTEN))
    assert main(["validate", str(path), "--ghec-private-key", str(tmp_path / "nope.pem")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("license-sync: error: ") and "nope.pem" in err and "Traceback" not in err


def test_absurdly_deep_nesting_is_an_invalid_file_not_a_crash(tmp_path, capsys):
    """A file nested deeper than Python's parser recursion is reported as a problem, exit 1."""
    path = tmp_path / "deep.json"
    path.write_text('{"users": ' + "[" * 5000 + "]" * 5000 + "}")
    assert main(["validate", str(path)]) == 1
    captured = capsys.readouterr()
    assert "is not a valid export" in captured.out and "Traceback" not in captured.out + captured.err


def test_a_bug_is_still_one_line(tmp_path, capsys, monkeypatch):
    """Even an unexpected exception inside a command ends as one line and exit 70."""
    import sync_client.cli as cli_module

    def broken(*_args, **_kwargs):
        """Stand-in for a command with a bug."""
        raise KeyError("oops")

    monkeypatch.setitem(cli_module.COMMANDS, "validate", broken)
    monkeypatch.delenv("LICENSE_SYNC_DEBUG", raising=False)
    assert main(["validate", "x.json"]) == 70
    err = capsys.readouterr().err
    assert err.startswith("license-sync: internal error: KeyError") and err.count("\n") == 1
