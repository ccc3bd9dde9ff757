"""export_format: round trips, golden files, encryption, tampering and keys."""
from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

import export_format as ef
from export_format import keys

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "fixtures" / "golden"
INSTANCE = {
    "server_id": "0b5c9a4e-1f0e-4c36-9d7c-3a1f2e4b5c6d", "host_name": "ghes-1.acme.example",
    "version": "3.15.2", "http_only": False, "license": "sha256:" + "ab" * 32,
    "public_key": "KEY", "features": [{"name": "license_usage_sync",
                                       "enabled_at": "2026-01-01T00:00:00Z"}],
}
USERS = [
    {"id": 1, "emails": [{"address": "ada@acme.example", "primary": True}]},
    {"id": 2, "emails": [{"address": "bob@acme.example", "primary": False},
                         {"address": "Bob@Home.example", "primary": True}]},
]
WHEN = "2026-11-28T10:00:00Z"


@pytest.fixture(scope="module")
def other_key() -> rsa.RSAPrivateKey:
    """A second key pair: 'the GHEC enterprise this file was not meant for'."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def build(**kwargs) -> bytes:
    """build_export with the defaults of this module."""
    kwargs.setdefault("users", USERS)
    kwargs.setdefault("generated_at", WHEN)
    return ef.build_export(dict(INSTANCE), **kwargs)


def problems_of(raw: bytes, key=None) -> list[str]:
    """Problems as 'path: message' strings, for readable assertions."""
    return [str(p) for p in ef.validate_bytes(raw, key).problems]


# -- golden files ----------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(p.name for p in GOLDEN.glob("*.json")))
def test_golden_files_are_valid(name: str) -> None:
    result = ef.validate_bytes((GOLDEN / name).read_bytes(), ef.load_private_key())
    assert result.ok, result.problems
    assert result.document is not None and result.document.users


def test_all_expected_golden_files_exist() -> None:
    names = {p.name for p in GOLDEN.glob("*.json")}
    assert {"small.plain.json", "small.encrypted.json", "edge-cases.plain.json",
            "handwritten.plain.json"} <= names


def test_encrypted_golden_decrypts_to_the_plain_golden_users() -> None:
    plain = ef.parse_export((GOLDEN / "small.plain.json").read_bytes())
    encrypted = ef.parse_export((GOLDEN / "small.encrypted.json").read_bytes(),
                                ef.load_private_key())
    assert encrypted.encrypted and not plain.encrypted
    assert encrypted.users == plain.users
    assert encrypted.instance == plain.instance


def test_encrypted_file_without_key_validates_envelope_only() -> None:
    raw = (GOLDEN / "small.encrypted.json").read_bytes()
    result = ef.validate_bytes(raw)
    assert result.ok and result.document is not None
    assert result.document.users == [] and not result.document.users_readable
    with pytest.raises(ef.ExportError, match="private key"):
        ef.parse_export(raw)


def test_edge_case_golden_keeps_case_differing_addresses_across_users() -> None:
    doc = ef.parse_export((GOLDEN / "edge-cases.plain.json").read_bytes())
    addresses = [a for _, _, all_ in ef.users_iter(doc) for a in all_]
    assert "Alice@Example.COM" in addresses and "alice@example.com" in addresses
    assert max(len(u["emails"]) for u in doc.users) == ef.MAX_EMAILS_PER_USER


# -- round trips -----------------------------------------------------------------------------
def test_plain_round_trip() -> None:
    raw = build()
    assert raw.endswith(b"}\n") and b"encryption" not in raw
    doc = ef.parse_export(raw)
    assert doc.users == USERS and doc.instance == INSTANCE and doc.generated_at == WHEN
    assert doc.format_version == ef.FORMAT_VERSION and doc.server_id == INSTANCE["server_id"]
    assert list(json.loads(raw)) == ["format", "format_version", "generated_at", "instance", "users"]


def test_encrypted_round_trip_and_shape() -> None:
    raw = build(encrypt_to=ef.load_public_key())
    wire = json.loads(raw)
    assert list(wire) == ["format", "format_version", "generated_at", "instance", "encryption",
                          "users"]
    assert isinstance(wire["users"], str) and b"ada@acme.example" not in raw
    assert wire["encryption"]["key_id"] == ef.key_id(ef.load_public_key())
    assert len(base64.b64decode(wire["encryption"]["nonce"])) == 12
    assert ef.parse_export(raw, ef.load_private_key()).users == USERS


def test_users_json_is_spliced_verbatim_not_reparsed() -> None:
    users_json = b'[{"id":1,"emails":[{"address":"ada@acme.example","primary":true}]}]'
    raw = build(users=None, users_json=users_json)
    assert users_json in raw
    assert ef.parse_export(raw).users == USERS[:1]
    # Not re-parsed: the builder trusts it, the validator is the judge.
    leaky = b'[{"id":1,"login":"ada","emails":[{"address":"ada@acme.example","primary":true}]}]'
    assert "$.users[0].login" in problems_of(build(users=None, users_json=leaky))[0]


def test_users_json_must_look_like_an_array() -> None:
    with pytest.raises(ef.ExportError, match="array"):
        build(users=None, users_json=b'{"id": 1}')


def test_exactly_one_users_source() -> None:
    with pytest.raises(TypeError):
        build(users_json=b"[]")
    with pytest.raises(TypeError):
        build(users=None)


def test_builder_refuses_records_the_reader_would_refuse() -> None:
    with pytest.raises(ef.ExportError) as caught:
        build(users=[{"id": 1, "login": "ada",
                      "emails": [{"address": "ada@acme.example", "primary": True}]}])
    assert caught.value.problems[0].path == "$.users[0].login"


def test_builder_validates_instance() -> None:
    with pytest.raises(ef.ExportError) as caught:
        ef.build_export({**INSTANCE, "server_id": "nope", "extra": 1}, users=[], generated_at=WHEN)
    assert {p.path for p in caught.value.problems} == {"$.instance.server_id", "$.instance.extra"}


def test_generated_at_datetime_is_converted_to_utc_and_naive_refused() -> None:
    moment = datetime(2026, 11, 28, 11, 0, 0, 123, tzinfo=timezone(timedelta(hours=1)))
    assert ef.parse_export(build(generated_at=moment)).generated_at == "2026-11-28T10:00:00Z"
    with pytest.raises(ef.ExportError, match="timezone"):
        build(generated_at=datetime(2026, 11, 28, 10, 0, 0))
    with pytest.raises(ef.ExportError, match="RFC 3339"):
        build(generated_at="2026-11-28 10:00:00")


def test_empty_users_array_is_valid_in_both_forms() -> None:
    assert ef.parse_export(build(users=[])).users == []
    assert ef.parse_export(build(users=[], encrypt_to=ef.load_public_key()),
                           ef.load_private_key()).users == []


# -- encryption: tampering and wrong keys ----------------------------------------------------
def _tamper(raw: bytes, edit) -> bytes:
    """Re-serialise a file after `edit` changed its parsed form, as an attacker would."""
    wire = json.loads(raw)
    edit(wire)
    return json.dumps(wire).encode()


def _flip_b64(text: str, at: int = 5) -> str:
    """Flip one bit of base64 data: the smallest possible tampering."""
    data = bytearray(base64.b64decode(text))
    data[at] ^= 0x01
    return base64.b64encode(bytes(data)).decode()


@pytest.mark.parametrize("edit, path", [
    (lambda w: w.__setitem__("users", _flip_b64(w["users"])), "$.users"),
    (lambda w: w["encryption"].__setitem__("nonce", _flip_b64(w["encryption"]["nonce"], 0)),
     "$.users"),
    (lambda w: w["instance"].__setitem__("server_id", "1" + w["instance"]["server_id"][1:]),
     "$.users"),
    (lambda w: w["encryption"].__setitem__("encrypted_key",
                                           _flip_b64(w["encryption"]["encrypted_key"], 100)),
     "$.encryption.encrypted_key"),
    (lambda w: w.__setitem__("users", w["users"][:-8] + "AAAAAAA="), "$.users"),
])
def test_tampering_is_detected(edit, path: str) -> None:
    raw = _tamper(build(encrypt_to=ef.load_public_key()), edit)
    result = ef.validate_bytes(raw, ef.load_private_key())
    assert not result.ok and [p.path for p in result.problems] == [path], result.problems


def test_blob_moved_into_another_instance_block_fails() -> None:
    a = json.loads(build(encrypt_to=ef.load_public_key()))
    other = {**INSTANCE, "server_id": "99999999-1f0e-4c36-9d7c-3a1f2e4b5c6d"}
    b = json.loads(ef.build_export(other, users=[], encrypt_to=ef.load_public_key(),
                                   generated_at=WHEN))
    b["users"], b["encryption"] = a["users"], a["encryption"]
    problems = problems_of(json.dumps(b).encode(), ef.load_private_key())
    assert len(problems) == 1 and problems[0].startswith("$.users: ")
    assert "moved from another instance" in problems[0]


def test_file_for_another_key_gives_a_clear_key_id_message(other_key) -> None:
    raw = build(encrypt_to=other_key.public_key())
    result = ef.validate_bytes(raw, ef.load_private_key())
    assert [p.path for p in result.problems] == ["$.encryption.key_id"]
    message = result.problems[0].message
    assert "another key" in message and ef.key_id(other_key) in message
    assert ef.key_id(ef.load_private_key()) in message
    assert ef.parse_export(raw, other_key).users == USERS


def test_key_id_forged_to_match_still_fails_at_unwrap(other_key) -> None:
    raw = _tamper(build(encrypt_to=other_key.public_key()),
                  lambda w: w["encryption"].__setitem__("key_id",
                                                        ef.key_id(ef.load_public_key())))
    assert [p.path for p in ef.validate_bytes(raw, ef.load_private_key()).problems] == [
        "$.encryption.encrypted_key"]


def test_decrypted_users_are_validated_with_paths() -> None:
    bad = b'[{"id":1,"name":"Ada","emails":[{"address":"ada@acme.example","primary":true}]}]'
    raw = build(users=None, users_json=bad, encrypt_to=ef.load_public_key())
    assert ef.validate_bytes(raw).ok  # envelope only, without the key
    assert [p.path for p in ef.validate_bytes(raw, ef.load_private_key()).problems] == [
        "$.users[0].name"]


def test_decrypted_garbage_reports_json_error() -> None:
    sealed = ef.encrypt_users(b"[1, 2", ef.load_public_key(), INSTANCE["server_id"].encode())
    wire = json.loads(build(encrypt_to=ef.load_public_key()))
    wire.update(sealed)
    problems = problems_of(json.dumps(wire).encode(), ef.load_private_key())
    assert len(problems) == 1 and problems[0].startswith("$.users: the decrypted users is not "
                                                         "valid JSON")


def test_encrypt_refuses_small_rsa_keys() -> None:
    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    with pytest.raises(ValueError, match="too small"):
        ef.encrypt_users(b"[]", small.public_key(), b"x")


def test_key_id_is_the_same_for_both_halves_and_rejects_other_types() -> None:
    assert ef.key_id(ef.load_private_key()) == ef.key_id(ef.load_public_key())
    assert ef.key_id(ef.load_public_key()).startswith("sha256:")
    with pytest.raises(TypeError):
        ef.key_id("not a key")


# -- keys ------------------------------------------------------------------------------------
def test_default_keys_are_the_shipped_test_pair_and_cached() -> None:
    assert keys.DEFAULT_PRIVATE_KEY_PATH.parent == ROOT / "export_format" / "test_keys"
    assert ef.load_private_key() is ef.load_private_key(keys.DEFAULT_PRIVATE_KEY_PATH)
    assert ef.load_private_key().key_size == 3072
    assert "TEST-ONLY" in (ROOT / "export_format" / "test_keys" / "README.md").read_text()


def test_the_test_keys_ship_in_the_package() -> None:
    """A wheel (non-editable install) must carry the default pair, or a bare `mock-ghec serve` fails."""
    import tomllib
    shipped = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert "test_keys/*.pem" in shipped["export_format"]
    assert {p.name for p in keys.KEY_DIR.glob("*.pem")} == {keys.DEFAULT_PRIVATE_KEY_PATH.name,
                                                          keys.DEFAULT_PUBLIC_KEY_PATH.name}


def test_missing_key_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ef.KeyLoadError, match=r"not found.*--ghec-private-key"):
        ef.load_private_key(tmp_path / "nope.pem")
    with pytest.raises(ef.KeyLoadError, match=r"not found.*--ghec-public-key"):
        ef.load_public_key(tmp_path / "nope.pem")


def test_non_key_files_are_a_clear_error(tmp_path: Path) -> None:
    junk = tmp_path / "junk.pem"
    junk.write_text("hello")
    with pytest.raises(ef.KeyLoadError, match="not an unencrypted PEM private key"):
        ef.load_private_key(junk)
    with pytest.raises(ef.KeyLoadError, match="not a PEM public key"):
        ef.load_public_key(junk)
    with pytest.raises(ef.KeyLoadError, match="not a PEM public key"):
        ef.load_public_key(keys.DEFAULT_PRIVATE_KEY_PATH)


def test_write_key_pair_round_trips_and_never_overwrites(tmp_path: Path) -> None:
    assert keys.main([str(tmp_path)]) == 0
    private, public = tmp_path / "ghec-private.pem", tmp_path / "ghec-public.pem"
    assert private.stat().st_mode & 0o777 == 0o600
    raw = build(encrypt_to=ef.load_public_key(public))
    assert ef.parse_export(raw, ef.load_private_key(private)).users == USERS
    with pytest.raises(FileExistsError):
        keys.write_key_pair(private, public, bits=2048)
