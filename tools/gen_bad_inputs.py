"""Write the bad-input corpus `fixtures/bad-inputs/`: broken export files and what each must get.

WHY a generator: the cases are mutations of one small valid export, and writing them by hand
would hide the one thing each file gets wrong among the ninety it gets right. The expected
answers are declared HERE, next to each mutation, from the contract (docs/export-format.md
and docs/ghec.md), never copied from what the server happens to say; `expected.json` maps
file -> {status, message (a substring of some problem's message), paths (each must be listed)}.
The over-size case is not committed (it would be huge): tests lower MAX_UPLOAD_BYTES instead.
The encrypted cases use a fresh random key and nonce, so re-running rewrites their bytes.

    .venv/bin/python tools/gen_bad_inputs.py [OUT_DIR]
"""
from __future__ import annotations

import base64
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives.asymmetric import rsa  # noqa: E402

from export_format.encryption import encrypt_users, key_id  # noqa: E402
from export_format.keys import load_public_key  # noqa: E402

SERVER_ID = "5b0c8f3e-2a71-4c9d-9e8f-1a2b3c4d5e6f"


def base() -> dict[str, Any]:
    """A small valid plain export (every case below breaks exactly what it names)."""
    return {
        "format": "ghes-license-usage", "format_version": 1, "generated_at": "2026-03-01T12:00:00Z",
        "instance": {"server_id": SERVER_ID, "host_name": "ghes-bad.corp.example", "version": "3.15.2",
                     "http_only": False, "license": "sha256:" + "ab" * 32,
                     "public_key": "-----BEGIN PUBLIC KEY-----\nTEST-ONLY\n-----END PUBLIC KEY-----\n",
                     "features": [{"name": "license_usage_sync", "enabled_at": "2026-01-01T00:00:00Z"}]},
        "users": [
            {"id": 1, "emails": [{"address": "ada@corp.example", "primary": True}]},
            {"id": 2, "emails": [{"address": "grace@corp.example", "primary": True},
                                 {"address": "grace@home.example", "primary": False}]},
            {"id": 3, "emails": [{"address": "linus@corp.example", "primary": True}]},
        ],
    }


def dump(doc: Any) -> bytes:
    """Pretty JSON, as a person would save it."""
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def mutate(change: Callable[[dict[str, Any]], Any]) -> bytes:
    """The base document with one change applied (`change` edits it in place)."""
    doc = base()
    change(doc)
    return dump(doc)


def encrypted(users: Any, public_key: Any = None, tamper: bool = False) -> bytes:
    """An encrypted export whose plaintext is `users` (any JSON), optionally with a flipped ciphertext byte."""
    doc = base()
    sealed = encrypt_users(json.dumps(users).encode(), public_key or load_public_key(), SERVER_ID.encode())
    blob = sealed["users"]
    if tamper:
        raw = bytearray(base64.b64decode(blob))
        raw[len(raw) // 2] ^= 0x01
        blob = base64.b64encode(bytes(raw)).decode("ascii")
    doc["users"], doc["encryption"] = blob, sealed["encryption"]
    return dump(doc)


def _set(path: list[Any], value: Any) -> Callable[[dict[str, Any]], None]:
    """A change that sets doc[path...] = value."""
    def change(doc: dict[str, Any]) -> None:
        for key in path[:-1]:
            doc = doc[key]
        doc[path[-1]] = value
    return change


def _drop(path: list[Any]) -> Callable[[dict[str, Any]], None]:
    """A change that deletes doc[path...]."""
    def change(doc: dict[str, Any]) -> None:
        for key in path[:-1]:
            doc = doc[key]
        del doc[path[-1]]
    return change


def _many(*changes: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    """Several changes at once (a file wrong at every level)."""
    def change(doc: dict[str, Any]) -> None:
        for one in changes:
            one(doc)
    return change


def _user_emails(*emails: tuple[str, bool]) -> list[dict[str, Any]]:
    """An emails array."""
    return [{"address": a, "primary": p} for a, p in emails]


def cases() -> list[tuple[str, bytes, int, str, list[str]]]:
    """(file name, bytes, status, message substring, paths that must be listed)."""
    valid = dump(base())
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    nested = b'{"format": "ghes-license-usage", "users": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    many_bad = [{"id": n, "emails": _user_emails((f"user{n}-at-corp.example", True))} for n in range(1, 131)]
    return [
        # -- not JSON at all: 400 ----------------------------------------------------------
        ("not-json.json", b"this is not JSON, it is a sentence.\n", 400, "not valid JSON", ["$"]),
        ("truncated.json", valid[: len(valid) // 2], 400, "not valid JSON", ["$"]),
        ("empty.json", b"", 400, "is empty", ["$"]),
        ("non-utf8.json", valid.replace(b"ghes-bad", "ghès-bad".encode("latin-1")), 400, "not valid UTF-8", ["$"]),
        ("utf16-bom.json", valid.decode().encode("utf-16"), 400, "UTF-16", ["$"]),
        ("nul-bytes.json", valid.replace(b'"ada@', b'"ada\x00@'), 400, "NUL byte", ["$"]),
        ("nan-id.json", valid.replace(b'"id": 3', b'"id": NaN'), 400, "NaN", ["$"]),
        ("deep-nesting.json", nested, 400, "too deeply", ["$"]),
        ("huge-integer.json", valid.replace(b'"id": 3', b'"id": ' + b"9" * 5000), 400, "cannot be parsed", ["$"]),
        # -- JSON, but not an export: 422 -------------------------------------------------
        ("utf8-bom.json", b"\xef\xbb\xbf" + valid, 422, "byte order mark", ["$"]),
        ("top-level-array.json", b"[]\n", 422, "must be a JSON object", ["$"]),
        ("top-level-string.json", b'"ghes-license-usage"\n', 422, "must be a JSON object", ["$"]),
        ("top-level-null.json", b"null\n", 422, "must be a JSON object", ["$"]),
        ("empty-object.json", b"{}\n", 422, "missing required key",
         ["$.format", "$.format_version", "$.generated_at", "$.instance", "$.users"]),
        ("unknown-format-version.json", mutate(_set(["format_version"], 2)), 422, "unsupported format_version",
         ["$.format_version"]),
        ("format-version-string.json", mutate(_set(["format_version"], "1")), 422, "must be an integer", ["$.format_version"]),
        ("wrong-format-name.json", mutate(_set(["format"], "github-export")), 422, 'must be "ghes-license-usage"', ["$.format"]),
        ("extra-top-level-field.json", mutate(_set(["comment"], "exported by hand")), 422, "unknown",
         ["$.comment"]),
        ("instance-missing-fields.json", mutate(_many(_drop(["instance", "server_id"]), _drop(["instance", "host_name"]))),
         422, "missing required key", ["$.instance.server_id", "$.instance.host_name"]),
        ("instance-extra-field.json", mutate(_set(["instance", "admin_email"], "root@corp.example")), 422, "unknown",
         ["$.instance.admin_email"]),
        ("instance-wrong-types.json", mutate(_many(_set(["instance", "server_id"], 12345),
                                                   _set(["instance", "http_only"], "yes"),
                                                   _set(["instance", "features"], {"name": "x"}))),
         422, "must be true or false", ["$.instance.server_id", "$.instance.http_only", "$.instance.features"]),
        ("feature-missing-and-extra.json", mutate(_set(["instance", "features"], [{"enabled_at": "2026-01-01T00:00:00Z",
                                                                                    "owner": "x"}])),
         422, "missing required key", ["$.instance.features[0].name", "$.instance.features[0].owner"]),
        ("users-not-an-array.json", mutate(_set(["users"], {"1": "ada@corp.example"})), 422, "must be an array", ["$.users"]),
        ("user-missing-fields.json", mutate(_many(_drop(["users", 0, "id"]), _drop(["users", 1, "emails"]))),
         422, "missing required key", ["$.users[0].id", "$.users[1].emails"]),
        ("user-extra-fields.json", mutate(_many(_set(["users", 0, "login"], "ada"), _set(["users", 2, "name"], "Linus"))),
         422, "unknown key", ["$.users[0].login", "$.users[2].name"]),
        ("user-wrong-types.json", mutate(_many(_set(["users", 0, "id"], "1"), _set(["users", 1, "id"], 2.5),
                                               _set(["users", 2, "emails"], "linus@corp.example"))),
         422, "must be an integer", ["$.users[0].id", "$.users[1].id", "$.users[2].emails"]),
        ("user-id-out-of-range.json", mutate(_many(_set(["users", 0, "id"], -1), _set(["users", 1, "id"], 2**53))),
         422, "must be between 1 and", ["$.users[0].id", "$.users[1].id"]),
        ("email-missing-and-extra.json", mutate(_many(_drop(["users", 0, "emails", 0, "primary"]),
                                                      _set(["users", 1, "emails", 1, "verified"], True))),
         422, "unknown key", ["$.users[0].emails[0].primary", "$.users[1].emails[1].verified"]),
        ("email-wrong-types.json", mutate(_many(_set(["users", 0, "emails", 0, "address"], 42),
                                                _set(["users", 1, "emails", 0, "primary"], "true"))),
         422, "must be true or false", ["$.users[0].emails[0].address", "$.users[1].emails[0].primary"]),
        ("duplicate-user-ids.json", mutate(_set(["users", 2, "id"], 1)), 422, "duplicate user id", ["$.users[2].id"]),
        ("two-primaries.json", mutate(_set(["users", 1, "emails", 1, "primary"], True)), 422, "2 primary emails",
         ["$.users[1].emails"]),
        ("no-primary.json", mutate(_set(["users", 0, "emails", 0, "primary"], False)), 422, "primary",
         ["$.users[0].emails"]),
        ("no-emails.json", mutate(_set(["users", 0, "emails"], [])), 422, "at least 1", ["$.users[0].emails"]),
        ("duplicate-address-in-user.json", mutate(_set(["users", 1, "emails", 1, "address"], "GRACE@corp.example")),
         422, "duplicate address", ["$.users[1].emails[1].address"]),
        ("invalid-emails.json", mutate(_many(_set(["users", 0, "emails", 0, "address"], "ada.corp.example"),
                                             _set(["users", 2, "emails", 0, "address"], "linus @corp.example"))),
         422, "not a valid email address", ["$.users[0].emails[0].address", "$.users[2].emails[0].address"]),
        ("over-long-emails.json", mutate(_many(_set(["users", 0, "emails", 0, "address"], "a" * 65 + "@corp.example"),
                                               _set(["users", 2, "emails", 0, "address"],
                                                    "l@" + ".".join(["d" * 60] * 5) + ".example"))),
         422, "at most 254", ["$.users[0].emails[0].address", "$.users[2].emails[0].address"]),
        ("escaped-nul-in-email.json", mutate(_set(["users", 0, "emails", 0, "address"], "ada\u0000@corp.example")),
         422, "not a valid email address", ["$.users[0].emails[0].address"]),
        ("huge-strings.json", mutate(_many(_set(["instance", "host_name"], "h" * 5000 + ".example"),
                                           _set(["instance", "public_key"], "k" * 16400))),
         422, "at most 255", ["$.instance.host_name", "$.instance.public_key"]),
        ("too-many-emails.json", mutate(_set(["users", 0, "emails"], _user_emails(("ada@corp.example", True), *[
            (f"ada{n}@corp.example", False) for n in range(120)]))), 422, "at most 100", ["$.users[0].emails"]),
        ("invalid-date.json", mutate(_set(["generated_at"], "2026-02-30T12:00:00Z")), 422, "not a real date", ["$.generated_at"]),
        ("html-strings.json", mutate(_many(_set(["instance", "host_name"], "<script>alert(1)</script>"),
                                           _set(["users", 0, "emails", 0, "address"], "<img src=x onerror=alert(1)>@x.example"),
                                           _set(["<b>bold</b>"], "<i>"))),
         422, "must be a host name", ["$.instance.host_name", "$.users[0].emails[0].address", "$['<b>bold</b>']"]),
        ("sql-strings.json", mutate(_many(_set(["instance", "server_id"], "' OR 1=1 --"),
                                          _set(["users", 0, "emails", 0, "address"],
                                               "x'); DROP TABLE ghes_usage;--@evil.example"))),
         422, "lowercase UUID", ["$.instance.server_id", "$.users[0].emails[0].address"]),
        ("every-level-at-once.json", mutate(_many(_set(["extra"], 1), _set(["instance", "nickname"], "x"),
                                                  _set(["users", 0, "login"], "ada"),
                                                  _set(["users", 1, "emails", 0, "verified"], True),
                                                  _set(["users", 2, "id"], 1))),
         422, "unknown key", ["$.extra", "$.instance.nickname", "$.users[0].login", "$.users[1].emails[0].verified",
                   "$.users[2].id"]),
        ("more-than-100-problems.json", mutate(_set(["users"], many_bad)), 422, "only the first 100", ["$.users[0].emails[0].address",
                                                                                       "$.users[99].emails[0].address"]),
        # -- the encrypted form -------------------------------------------------------------
        ("encrypted-tampered.json", encrypted(base()["users"], tamper=True), 422, "failed authentication", ["$.users"]),
        ("encrypted-for-another-key.json", encrypted(base()["users"], other_key), 422, "another key",
         ["$.encryption.key_id"]),
        ("encrypted-invalid-plaintext.json", encrypted([{"id": 1, "login": "ada", "emails": []}]), 422, "unknown key",
         ["$.users[0].login", "$.users[0].emails"]),
        ("encrypted-with-users-array.json", mutate(_set(["encryption"], {
            "scheme": "RSA-OAEP-SHA256+A256GCM", "key_id": key_id(load_public_key()),
            "encrypted_key": "AAAA", "nonce": "AAAAAAAAAAAAAAAA"})), 422, "is an array but the file has", ["$.users"]),
        ("plain-with-users-string.json", mutate(_set(["users"], "c2VjcmV0")), 422, "is a string, as in the encrypted form", ["$.users"]),
    ]


def main(argv: list[str] | None = None) -> int:
    """Write every case and `expected.json` into OUT_DIR (default fixtures/bad-inputs)."""
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else ROOT / "fixtures" / "bad-inputs"
    out.mkdir(parents=True, exist_ok=True)
    expected: dict[str, Any] = {}
    for name, raw, status, message, paths in cases():
        (out / name).write_bytes(raw)
        expected[name] = {"status": status, "message": message, "paths": paths}
    (out / "expected.json").write_text(json.dumps(expected, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {len(expected)} bad inputs and expected.json to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
