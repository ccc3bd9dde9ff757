"""The msgspec accelerator never changes a verdict, a message or a document.

`validate_bytes` asks the accelerator (export_format.fastdecode) first and falls back to the
reference path (json + the fast loop + marshmallow) when it says "don't know". Every file
here is validated both ways and the results must be identical; the ones the accelerator must
decide itself are checked to be decided by it (else these tests would pin nothing).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_export_format_agreement import records

import export_format as ef
from export_format import fastdecode, validation
from export_format.fastpath import record_shape

ROOT = Path(__file__).resolve().parents[2]
INSTANCE = {"server_id": "0b5c9a4e-1f0e-4c36-9d7c-3a1f2e4b5c6d", "host_name": "ghes-1.acme.example",
            "version": "3.15.2", "http_only": False, "license": "sha256:" + "ab" * 32, "public_key": "KEY",
            "features": [{"name": "license_usage_sync", "enabled_at": "2026-01-01T00:00:00Z"}]}
HEAD = ('{"format":"ghes-license-usage","format_version":1,"generated_at":"2026-11-28T10:00:00Z",'
        f'"instance":{json.dumps(INSTANCE)}')
ADA = '{"id":1,"emails":[{"address":"ada@acme.example","primary":true}]}'
BOB = '{"id":2,"emails":[{"address":"bob@acme.example","primary":false},{"address":"Bob@Home.example","primary":true}]}'
KEY = ef.load_private_key()


def plain(users: str, head: str = HEAD, tail: str = "}\n") -> bytes:
    """A plain export whose users array is the given JSON text, spliced verbatim."""
    return f'{head},"users":{users}{tail}'.encode("utf-8", "surrogatepass")


def both_ways(raw: bytes, key: Any = None) -> tuple[ef.ValidationResult, tuple[Any, Any]]:
    """validate_bytes (accelerator first) and validate_compact, after checking both against
    the reference path alone; returns (the result, validate_compact's pair)."""
    reference = validation._reference(raw, key)
    result = ef.validate_bytes(raw, key)
    assert result == reference
    pair = validation.validate_compact(raw, key)
    assert pair[0].ok == reference.ok and pair[0].problems == reference.problems
    if pair[1] is not None:
        doc = reference.document
        assert pair[0].document == type(doc)(**{**doc.__dict__, "users": []})
        assert pair[1].users == [[u["id"], *[e["address"] for e in u["emails"] if e["primary"]],
                                  *[e["address"] for e in u["emails"] if not e["primary"]]] for u in doc.users]
    else:
        assert pair[0] == reference
    return result, pair


def decided(raw: bytes, key: Any = None) -> bool:
    """Whether the accelerator itself accepted the file (no fallback)."""
    return validation._accelerated(raw, key, as_compact=False) is not None


def test_the_accelerator_is_on_for_the_shipped_schema() -> None:
    assert record_shape() is not None and fastdecode.accelerator() is not None


@pytest.mark.parametrize("path", sorted((ROOT / "fixtures" / "golden").glob("*.json")), ids=lambda p: p.name)
def test_golden_files_are_decided_by_the_accelerator_with_the_same_document(path: Path) -> None:
    raw = path.read_bytes()
    result, (_, compact) = both_ways(raw, KEY)
    assert result.ok and decided(raw, KEY) and compact is not None
    both_ways(raw)  # the encrypted one without the key: envelope only


CORPUS = ROOT / "fixtures" / "bad-inputs"


@pytest.mark.parametrize("name", sorted(json.loads((CORPUS / "expected.json").read_text())))
def test_the_bad_input_corpus_gets_the_same_problems_with_and_without_it(name: str) -> None:
    raw = (CORPUS / name).read_bytes()
    for key in (None, KEY):
        result, (_, compact) = both_ways(raw, key)
        if not result.ok:
            assert compact is None and not decided(raw, key)


GOOD = [  # files the reference path accepts; the accelerator must take them, with the same document
    plain(f"[{ADA},{BOB}]"), plain("[]"), plain(f"[{ADA}]", tail="}"), plain(f"[{ADA}]", tail="}\r\n\t "),
    plain(f" [ {ADA} , {BOB} ] "), plain(json.dumps([json.loads(ADA), json.loads(BOB)], indent=2)),
    plain(ADA.join("[]").replace('"id":1', '"id":1,"id":3')),                          # duplicate key: last wins
    plain(f"[{ADA}]", head=HEAD.replace('"format_version":1', '"format_version":2,"format_version":1')),
    f'{{"users":[{ADA}],{HEAD[1:]}}}'.encode(),                                           # users first
    plain(f"[{ADA}]", head=HEAD.replace('"KEY"', json.dumps(f'[{ADA}]'))),               # users text seen earlier
    plain(f"[{ADA}]", head=HEAD.replace('"KEY"', '"K\\u00e9Y \u00e9"')),                 # non-ASCII, valid UTF-8
    plain(ADA.join("[]").replace("ada@", "a\\u0064a@").replace('"id"', '"\\u0069d"')),  # escapes in keys, values
    plain(ADA.join("[]").replace('"id":1', '"id":9007199254740991')),
]


@pytest.mark.parametrize("raw", GOOD, ids=range(len(GOOD)))
def test_valid_files_are_decided_by_the_accelerator(raw: bytes) -> None:
    result, (_, compact) = both_ways(raw)
    assert result.ok and decided(raw) and compact is not None


DEEP = "[" * 5000 + "]" * 5000
BAD = [  # what the accelerator must never accept: each is refused, or read differently, by the reference
    b"\xef\xbb\xbf" + plain(f"[{ADA}]"), b"\xff\xfe" + plain(f"[{ADA}]"), plain(f"[{ADA}]") + b"\x00",
    plain(ADA.join("[]").replace("ada@", "a\x00da@")), plain(ADA.join("[]").replace('"id":1', '"id":NaN')),
    plain(f"[{ADA}]", head=HEAD.replace('"KEY"', "Infinity")), plain(ADA.join("[]")).replace(b"ada", b"\xffda"),
    plain(ADA.join("[]").replace("ada@", "a\\ud800@")), plain(ADA.join("[]").replace("ada@", "a\ud800@")),
    plain(f"[{ADA}]", head=HEAD.replace('"KEY"', '"\\ud800"')),                        # lone surrogate, envelope
    plain(f"[{ADA}]", head=f'{{"users":{DEEP},' + HEAD[1:]),                           # dropped duplicate, deep
    plain(f"[{ADA}]", head=f'{{"users":{"9" * 5000},' + HEAD[1:]),                     # dropped duplicate, huge int
    plain(f"[{ADA}]", head='{"users":"\\q",' + HEAD[1:]),                            # dropped duplicate, bad escape
    plain(f"[{ADA}]", head=HEAD.replace('"KEY"', DEEP)), plain(f"[{ADA}]", head=HEAD.replace('"KEY"', "9" * 5000)),
    plain(f"[{ADA}],\"users\":{DEEP}"), plain(f"[{ADA}]", tail=',"users":"x"}'),          # the users that count: last
    plain(ADA.join("[]").replace('"id":1', '"id":1.0')), plain(ADA.join("[]").replace('"id":1', '"id":1e0')),
    plain(ADA.join("[]").replace('"id":1', '"id":-0')), plain(ADA.join("[]").replace('"id":1', '"id":true')),
    plain(ADA.join("[]").replace('"id":1', '"id":9007199254740992')),
    plain(ADA.join("[]").replace('"id":1', '"id":' + "9" * 30)),
    plain(ADA.join("[]").replace('"id":1', '"id":"x","id":1')),
    plain(ADA.join("[]").replace('"id":1', '"id":1,"id":"x"')),
    plain(ADA.join("[]").replace('"id":1', '"id":1,"login":"ada"')), plain(ADA.join("[]").replace('true', '1')),
    plain(ADA.join("[]").replace("example", "example\\n")), plain(ADA.join("[]").replace("example", "example\n")),
    plain(f"[{ADA},{ADA}]"), plain(f"[{BOB.replace('false', 'true')}]"), plain(f"[{BOB.replace('true', 'false')}]"),
    plain(f"[{BOB.replace('Bob@Home', 'BOB@acme')}]"), plain('[{"id":1,"emails":[]}]'), plain(f"[{ADA}]", tail="}x"),
    plain(f"[{ADA},]"), plain(f"[{ADA}]", tail=""), plain(f"[{ADA}]", tail="}}"), b"", b" \n", b"[]", b"null",
    plain(f'"{ADA}"'), plain(f"[{ADA}]", head=HEAD.replace('"format_version":1', '"format_version":2')),
    plain(f"[{ADA}]", head=HEAD.replace('"version":"3.15.2"', '"version":"3.15.2","extra":1')),
]


@pytest.mark.parametrize("raw", BAD, ids=range(len(BAD)))
def test_what_the_reference_refuses_the_accelerator_never_decides(raw: bytes) -> None:
    result, (_, compact) = both_ways(raw)
    if not result.ok:
        assert not decided(raw) and compact is None


def test_encrypted_files_with_odd_plaintexts_agree() -> None:
    plaintexts = (f"[{ADA},{BOB}]", "\ufeff" + f"[{ADA}]", f"[{ADA}]\x00", f"[{ADA},{ADA}]", '[{"id":1.0}]', "[]",
                  "{}", "", ADA.replace("ada@", "a\\ud800@").join("[]"), ADA.replace("ada", "\udcffda").join("[]"))
    for users in plaintexts:
        sealed = ef.encrypt_users(users.encode("utf-8", "surrogateescape"), ef.load_public_key(),
                                  INSTANCE["server_id"].encode("ascii"))
        raw = plain(json.dumps(sealed["users"]), tail=f',"encryption":{json.dumps(sealed["encryption"])}}}')
        for key in (None, KEY):
            result, _ = both_ways(raw, key)
            assert result.ok == (key is None or users in plaintexts[:1] or users == "[]"), users
            if result.ok:
                assert decided(raw, key)


def test_without_a_shape_there_is_no_accelerator(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fastdecode, "accelerator", lambda: None)
    raw = plain(f"[{ADA},{BOB}]")
    assert not decided(raw)
    result, compact = validation.validate_compact(raw)
    assert result.ok and compact is None and len(result.document.users) == 2


FILES = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FILES
@given(st.lists(records(), max_size=5))
def test_generated_files_agree_both_ways(users: list[Any]) -> None:
    both_ways(plain(json.dumps(users)))


def _user(uid: int, address: str | None = None) -> str:
    """One valid record (a unique address unless one is given)."""
    return f'{{"id":{uid},"emails":[{{"address":"{address or f"u{uid}@acme.example"}","primary":true}}]}}'


@pytest.mark.parametrize("users, accepted", [
    ("[" + ",".join(_user(n) for n in range(1, 8)) + "]", True),
    ("[ " + " ,\n ".join(_user(n) for n in range(1, 8)) + " ]", True),
    ("[" + ",".join(_user(n) for n in (1, 2, 3, 4, 5, 6, 1)) + "]", False),  # the duplicate id is in another chunk
    ("[" + ",".join([*(_user(n) for n in range(1, 7)), _user(7, "not an address")]) + "]", False),
    ("[" + ",".join([*(_user(n) for n in range(1, 7)), '{"id":7}']) + "]", False),
], ids=["compact", "spaced", "duplicate-id-across-chunks", "bad-address-in-last-chunk", "bad-record-in-last-chunk"])
def test_users_decoded_in_chunks_agree(monkeypatch: pytest.MonkeyPatch, users: str, accepted: bool) -> None:
    monkeypatch.setattr(fastdecode, "CHUNK_USERS", 3)
    raw = plain(users)
    result, (_, compact) = both_ways(raw)
    assert result.ok is accepted and decided(raw) is accepted and (compact is not None) is accepted
