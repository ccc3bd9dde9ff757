"""The msgspec accelerator: judge a whole export without building a dict per user.

WHY: on the reference path (json.loads, then fastpath's loop over dicts) a 100,000-user file
spends most of its validation time creating and walking dicts. msgspec decodes the users
array straight into small typed records (Structs) while checking types, bounds, required and
unknown keys in C; one Python loop then applies the address pattern and the semantic rules.

It is DERIVED and it is only an accelerator:
- the Structs are built from the same `RecordShape` fastpath.py reads from the derived JSON
  Schema (itself generated from the marshmallow schemas, the single source of truth), so a
  schema change either flows through or makes `record_shape()` None and turns this off;
- it never refuses anything: its only answers are "valid, and here is exactly what the
  reference path would have produced" or None ("don't know"). On None, validation.py runs the
  reference path from scratch, so every refusal and every message is the reference path's.
  tests/unit/test_export_format_agreement.py and test_export_format_accelerator.py pin both
  paths to the same results.

Where msgspec and Python's json differ (lone surrogate escapes, NaN, integers past 64 bits,
a UTF-8 BOM, 1.0 for an integer), msgspec is the stricter one, which only means "don't know".
The envelope (everything but the users) is parsed by Python's json itself, see `split_users`.
"""
from __future__ import annotations

import functools
import json
from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice
from operator import eq, itemgetter
from typing import Annotated, Any

import msgspec

from .fastpath import RecordShape, record_shape
from .gcpause import gc_paused

#: What msgspec, json and the UTF-8 codec raise on input they will not take.
REFUSALS = (msgspec.MsgspecError, ValueError, RecursionError)

_PLACEHOLDER = object()
#: Users decoded into Structs at a time (see Accelerator.check).
CHUNK_USERS = 50_000
_BOMS = (b"\xef\xbb\xbf", b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00", b"\xfe\xff", b"\xff\xfe")


class _Users(msgspec.Struct):
    """The top level as far as finding the users goes: every other key is skipped (syntax only)."""

    users: msgspec.Raw


_TOP = msgspec.json.Decoder(_Users)


def derive_structs(shape: RecordShape) -> tuple[type[msgspec.Struct], type[msgspec.Struct]]:
    """(UserRecord, Email) Structs with the shape's bounds: all fields required, no other keys.

    The address pattern is not a `Meta(pattern=…)`: measured, msgspec's pattern check costs
    about twice the compiled pattern call that fastpath uses, so `make_compactor` applies
    that one. `gc=False`: records hold no reference cycles, so the collector need never track them
    (and each is 16 bytes smaller, which counts for a million users).
    """
    email = msgspec.defstruct(
        "Email", [("address", Annotated[str, msgspec.Meta(max_length=shape.address_max)]),
                  ("primary", bool)],
        forbid_unknown_fields=True, gc=False, module=__name__)
    record = msgspec.defstruct(
        "UserRecord", [("id", Annotated[int, msgspec.Meta(ge=shape.id_min, le=shape.id_max)]),
                       ("emails", Annotated[list[email], msgspec.Meta(  # type: ignore[valid-type]
                           min_length=shape.emails_min, max_length=shape.emails_max)])],
        forbid_unknown_fields=True, gc=False, module=__name__)
    return record, email


def make_compactor(shape: RecordShape) -> Callable[[list[Any], list[list]], bool]:
    """The rules msgspec's types cannot express, over decoded records, fused with compaction.

    Address pattern, exactly one primary, addresses unique within a user ignoring case, ids
    unique in the file: the same checks, with the same compiled pattern, as fastpath's loop.
    While it walks, it writes each user in the compact form `[id, primary, *others]` (others
    in file order), which is what a reader matching on the primary wants; WHY fused: one
    more pass over 100,000 records costs as much as building the lists.
    """
    search = shape.address_search

    def compact(users: list[Any], out: list[list]) -> bool:
        """Every user compacted onto `out`; False when a record fails ("let the reference path
        say why"). Ids unique across the whole file are the caller's check (it sees every chunk)."""
        append = out.append
        for user in users:
            emails = user.emails
            if len(emails) == 1:  # nearly every user: no set, no counting
                email = emails[0]
                if email.primary is not True or search(email.address) is None:
                    return False
                append([user.id, email.address])
                continue
            primary, others = None, []
            for email in emails:
                address = email.address
                if search(address) is None:
                    return False
                if email.primary:
                    if primary is not None:
                        return False
                    primary = address
                else:
                    others.append(address)
            if primary is None or len({e.address.lower() for e in emails}) != len(emails):
                return False
            append([user.id, primary, *others])
        return True

    return compact


@dataclass
class Compact:
    """Users judged valid, in the compact form, and the field paths their records held."""

    users: list[list]  # per user, in file order: [id, primary address, *other addresses]
    paths: set[str]    # e.g. "$.users[].emails[].address" (arrays collapsed to [])


class Accelerator:
    """The derived Structs, their decoder and the rules check, for one RecordShape."""

    def __init__(self, shape: RecordShape) -> None:
        """Derive everything once; WHY: building a Decoder compiles its type, per process."""
        self.UserRecord, self.Email = derive_structs(shape)
        self.decoder = msgspec.json.Decoder(list[self.UserRecord])  # type: ignore[name-defined]
        self.spans = msgspec.json.Decoder(list[msgspec.Raw])
        self.compact = make_compactor(shape)

    def check(self, data: Any) -> Compact | None:
        """The users array, judged: its compact form when valid, else None ("don't know").

        `data` must have passed `readable_text` (a span of a file that did, or the decrypted
        plaintext after its own check): WHY not here, a span would be copied to be checked.
        The paths are the Structs' field names, which is the truth: a record exists only for
        an object with exactly those keys (every field required, unknown keys refused).

        WHY in chunks of CHUNK_USERS: the array is first cut into its elements (msgspec.Raw
        views of `data`, which checks the array's own syntax), then each chunk is decoded into
        Structs, compacted and dropped; the Structs of a 1,000,000-user file at once were about
        270 MB, most of an upload's peak. The elements' bytes are the file's, so each decodes
        exactly as it does inside the whole array.
        """
        try:
            with gc_paused():
                spans = self.spans.decode(data)
        except REFUSALS:
            return None
        users: list[list] = []
        emails_seen = False
        for start in range(0, len(spans), CHUNK_USERS):
            try:
                with gc_paused():
                    records = self.decoder.decode(b"".join((b"[", b",".join(spans[start:start + CHUNK_USERS]), b"]")))
            except REFUSALS:
                return None
            if not self.compact(records, users):
                return None
            emails_seen = emails_seen or any(record.emails for record in records)
            del records
        del spans
        # Ids unique in the file: sorted, no neighbour equal. WHY not a set: for 1,000,000 users a
        # set of the ids is 32 MB or more at the upload's peak, the sorted list 8 MB (and the ids
        # of an export usually come sorted already, which timsort takes in one pass).
        ids = sorted(map(itemgetter(0), users))
        if any(map(eq, ids, islice(ids, 1, None))):
            return None
        del ids
        paths: set[str] = set()
        if users:
            for key in self.UserRecord.__struct_fields__:
                if key != "emails":
                    paths.add(f"$.users[].{key}")
                elif emails_seen:
                    paths.update(f"$.users[].emails[].{k}" for k in self.Email.__struct_fields__)
        return Compact(users, paths)


@functools.lru_cache(maxsize=1)
def accelerator() -> Accelerator | None:
    """This process's accelerator; None when the schema's shape is not understood (then the
    reference path, with its fastjsonschema fallback, decides everything)."""
    shape = record_shape()
    return Accelerator(shape) if shape is not None else None


def readable_text(data: bytes) -> bool:
    """Whether the bytes pass read_json's pre-checks (no BOM, no NUL, UTF-8, not blank).

    WHY here and not left to msgspec: read_json reports these before parsing, and a BOM is
    even a problem that lets checking go on; msgspec refusing them too would be enough for
    the verdict, but checking first makes "the fast path never accepts them" self-evident.
    """
    if not data or data.isspace() or data.startswith(_BOMS) or b"\x00" in data:
        return False
    if data.isascii():  # the usual export: ASCII JSON, so UTF-8 by definition (and fast to tell)
        return True
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def split_users(raw: bytes) -> tuple[dict[str, Any], msgspec.Raw] | None:
    """The file's top level as Python's json reads it, without parsing the users: (doc, users bytes).

    msgspec finds the users value (the last "users" key's, skipping everything else) and that
    span is replaced by the token NaN; Python's json then parses the rest, the envelope, with
    its own rules, and NaN must come back as the value of "users" (json hands each NaN to
    `parse_constant`, which accepts exactly one). Because the span is a complete JSON value
    standing where json saw a value, the whole file reads as `doc` with `users` = that span:
    duplicate keys, a huge integer or deep nesting anywhere outside the users are judged by
    json exactly as the reference path judges them. `doc["users"]` is left as a placeholder.
    """
    if not readable_text(raw):
        return None
    try:
        users = _TOP.decode(raw).users
    except REFUSALS:
        return None
    start = _offset(raw, users)
    if start < 0:
        return None
    calls: list[str] = []

    def placeholder(name: str) -> Any:
        """The one NaN allowed is ours; any other constant is the file's (refused by read_json)."""
        if name != "NaN" or calls:
            raise ValueError(name)
        calls.append(name)
        return _PLACEHOLDER

    rest = b"".join((raw[:start], b"NaN", raw[start + len(users):]))
    try:
        doc = json.loads(rest.decode("utf-8"), parse_constant=placeholder)
    except REFUSALS:
        return None
    if type(doc) is not dict or doc.get("users") is not _PLACEHOLDER:
        return None
    return doc, users


def _offset(raw: bytes, span: msgspec.Raw, tries: int = 8) -> int:
    """Where in `raw` the bytes of `span` occur (any occurrence will do: see split_users), or -1.

    WHY not `raw.find(span)`: with a 10 MB needle that costs about 25 ms (the search
    preprocesses the whole needle); a short prefix is found at once and `startswith`
    confirms the rest with one memcmp. Giving up after a few false starts only means
    "don't know".
    """
    head = memoryview(span)[:256]
    start = raw.find(head)
    while start >= 0 and tries > 0:
        if raw.startswith(span, start):  # any bytes-like works
            return start
        start, tries = raw.find(head, start + 1), tries - 1
    return -1


def json_string(span: Any) -> str:
    """The encrypted form's users (a JSON string) as json would read it; msgspec refuses
    what json would read differently (a lone surrogate escape), which means "don't know"."""
    return msgspec.json.decode(span, type=str)


def plain_users(data: Any) -> list[Any]:
    """Users already judged valid, as the list of dicts json.loads would give (same keys, order).

    msgspec's untyped decode: about as fast as json.loads, and for validated records (ints in
    range, booleans, ASCII strings) it yields equal values, duplicate keys included (last wins).
    """
    with gc_paused():
        return msgspec.json.decode(data)
