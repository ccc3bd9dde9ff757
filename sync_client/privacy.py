"""The privacy proof's tools: the allow-list of field paths, and the scan for GHES user attributes.

WHY a raw-text scan and not just a look at parsed fields: a leak can hide where a parser
does not look — a duplicate JSON key, a multipart header, a query string, an encrypted blob,
a `\\u`-escaped name. So every body is scanned as raw text, as decoded JSON text, and (for
encrypted exports) as decrypted plaintext. Legitimate content is masked first (the users'
own email addresses, long base64/hex runs such as ciphertext and keys), then:
canaries are looked for as substrings (they are unique random strings), names as
case-insensitive substrings, and logins as whole tokens (a login is not a leak when it is
merely part of a word).
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

#: Every field path a GHES side may send to GHEC: the export file (format v1) and the Connect
#: registration `{host_name, version}`. `[]` stands for any array index.
ALLOWED_PATHS = frozenset({
    "format", "format_version", "generated_at",
    "instance", "instance.server_id", "instance.host_name", "instance.version", "instance.http_only",
    "instance.license", "instance.public_key", "instance.features", "instance.features[]",
    "instance.features[].name", "instance.features[].enabled_at",
    "encryption", "encryption.scheme", "encryption.key_id", "encryption.encrypted_key", "encryption.nonce",
    "users", "users[]", "users[].id", "users[].emails", "users[].emails[]",
    "users[].emails[].address", "users[].emails[].primary",
    "host_name", "version", "server_id",  # Connect registration
})

_LONG_OPAQUE = re.compile(r"[A-Za-z0-9+/=]{40,}")  # base64 / hex runs: ciphertext, keys, hashes
# An address starts after a delimiter (the lookbehind keeps the scan linear on long runs).
_EMAIL = re.compile(r"(?<![^\s\"'<>(),;:\[\]{}\\])[^\s\"'<>(),;:\[\]{}\\@]+@[A-Za-z0-9.-]+")
_WORDS = re.compile(r"[\w.'-]+")
_CANARY = re.compile(r"canary-[0-9a-z]+")
_INDEX = re.compile(r"\[\d*\]|\.\d+(?=\.|$)|\.\*(?=\.|$)|\[\*\]")


def normalise_path(path: str) -> str:
    """One spelling for array indexes: `users[3].emails.0.address` -> `users[].emails[].address`."""
    path = path.strip().lstrip("$").lstrip(".").replace("/", ".")
    return _INDEX.sub("[]", path)


def field_paths(value: Any, prefix: str = "") -> set[str]:
    """Every field path in a JSON value (containers included), indexes written `[]`.

    Iterative, so a deeply nested body sent by a misbehaving client cannot crash the proof.
    """
    paths: set[str] = set()
    stack: list[tuple[str, Any]] = [(prefix, value)]
    while stack:
        here, node = stack.pop()
        if isinstance(node, dict):
            for key, inner in node.items():
                path = f"{here}.{key}" if here else str(key)
                paths.add(path)
                stack.append((path, inner))
        elif isinstance(node, list):
            for inner in node:
                paths.add(f"{here}[]")
                stack.append((f"{here}[]", inner))
    return paths


def disallowed(paths: Iterable[str]) -> list[str]:
    """The paths not on the allow-list, sorted."""
    return sorted({normalise_path(p) for p in paths} - ALLOWED_PATHS)


@dataclass
class Secret:
    """One GHES user attribute that must never reach GHEC, and whose it is."""

    kind: str  # "login" | "name" | "canary"
    value: str
    owner: str  # "instance N / user ID"


@dataclass
class Secrets:
    """What to look for (logins, names, canaries) and what to mask first (legitimate emails)."""

    logins: dict[str, Secret] = field(default_factory=dict)  # lowercased -> secret
    names: dict[tuple[str, ...], Secret] = field(default_factory=dict)  # lowercased words -> secret
    canaries: dict[str, Secret] = field(default_factory=dict)
    emails: set[str] = field(default_factory=set)  # lowercased addresses that may cross
    _shapes: tuple[frozenset[str], tuple[int, ...], tuple[int, ...], tuple[str, ...]] | None = None

    def shapes(self) -> tuple[frozenset[str], tuple[int, ...], tuple[int, ...], tuple[str, ...]]:
        """(first words of names, name word counts, canary lengths, odd-shaped canaries), computed once.

        WHY cached: scan_text runs once per output row; recomputing these over 100,000 users
        per row would make the scan quadratic.
        """
        if self._shapes is None:
            self._shapes = (frozenset(k[0] for k in self.names), tuple(sorted({len(k) for k in self.names})),
                            tuple(sorted({len(c) for c in self.canaries})),
                            tuple(c for c in self.canaries if not _CANARY.fullmatch(c)))
        return self._shapes

    @classmethod
    def from_users(cls, users_by_server: dict[str, list[dict[str, Any]]],
                   known_to_ghec: Iterable[str] = ()) -> Secrets:
        """Collect every GHES user's login, name and canary; skip values GHEC knows by itself.

        `known_to_ghec` (GitHub.com logins and names) matters for GHEC's own output only: the
        same person may well use the same login on both sides, and that is not a leak.
        """
        return cls._collect(users_by_server).without(known_to_ghec)

    def without(self, known_to_ghec: Iterable[str]) -> Secrets:
        """A copy without the logins and names GHEC knows by itself (for scanning GHEC's output)."""
        known = {k.strip().lower() for k in known_to_ghec if k}
        return Secrets({k: v for k, v in self.logins.items() if k not in known},
                       {k: v for k, v in self.names.items() if v.value.strip().lower() not in known},
                       dict(self.canaries), set(self.emails))

    @classmethod
    def _collect(cls, users_by_server: dict[str, list[dict[str, Any]]]) -> Secrets:
        """Every login, name, canary and email of the given GHES users."""
        out = cls()
        for server, users in users_by_server.items():
            for user in users:
                owner = f"{server} user {user.get('id')}"
                for e in user.get("emails") or []:
                    if isinstance(e, dict) and e.get("address"):
                        out.emails.add(e["address"].strip().lower())
                login, name = user.get("login"), user.get("name")
                if isinstance(login, str) and len(login.strip()) >= 2:
                    out.logins.setdefault(login.strip().lower(), Secret("login", login, owner))
                if isinstance(name, str) and len(name.strip()) >= 2:
                    words = tuple(words_of(name.lower()))
                    if words:
                        out.names.setdefault(words, Secret("name", name, owner))
                for canary in _canaries(user):
                    out.canaries.setdefault(canary.lower(), Secret("canary", canary, owner))
        return out


def words_of(text: str) -> list[str]:
    """Words as the scan sees them: runs of letters, digits, `.`, `'` and `-`, trimmed of edge punctuation.

    WHY keep `.` and `-` inside words: then the login `kim` is not found inside the address
    `kim.lee@…` or the host `kim-lab.example`, and the name "Satomi Suzuki" is not found in
    the login `satomi-suzuki` — while `"kim"` or `Satomi Suzuki` on their own are.
    """
    return [w for w in (t.strip(".'-_") for t in _WORDS.findall(text)) if w]


def _canaries(user: dict[str, Any]) -> list[str]:
    """The canary strings planted in a user (the `canary` field, and any canary-… inside other attributes)."""
    found = {m for v in user.values() if isinstance(v, str) and "canary-" in v
             for m in re.findall(r"canary-[0-9a-f]{8,}", v)}
    if isinstance(user.get("canary"), str) and user["canary"]:
        found.add(user["canary"])
    return sorted(found)


@dataclass
class Leak:
    """A GHES attribute found where GHEC could read it."""

    kind: str
    value: str
    owner: str
    where: str

    def line(self) -> str:
        """`where: login 'x' of instance 1 user 5`."""
        return f"{self.where}: {self.kind} {self.value!r} of {self.owner}"


def _mask(text: str, emails: set[str]) -> str:
    """Blank out legitimate content: known email addresses and long opaque runs."""
    def email_or_keep(match: re.Match) -> str:
        """Replace an address only when it is one of the GHES users' own (those may cross)."""
        return " " if match.group(0).lower() in emails else match.group(0)
    text = _LONG_OPAQUE.sub(" ", text)  # first: base64 has no "@", and long runs are costly to scan
    return _EMAIL.sub(email_or_keep, text)


def scan_text(text: str, secrets: Secrets, where: str) -> list[Leak]:
    """Find every GHES secret in one text, in time linear in the text (exports can be large).

    Canaries are looked for first, in the raw text (nothing masks them); then, in the masked
    text, logins as whole words and names as whole runs of consecutive words.
    """
    leaks: list[Leak] = []
    lowered = text.lower()
    firsts, sizes, canary_sizes, odd_canaries = secrets.shapes()
    found = {m[:n] for m in set(_CANARY.findall(lowered)) for n in canary_sizes} & secrets.canaries.keys()
    found |= {c for c in odd_canaries if c in lowered}  # canaries of another shape: plain search
    leaks += [Leak("canary", secrets.canaries[c].value, secrets.canaries[c].owner, where) for c in sorted(found)]
    words = words_of(_mask(text, secrets.emails).lower())
    for login in sorted(set(words) & secrets.logins.keys()):
        leaks.append(Leak("login", secrets.logins[login].value, secrets.logins[login].owner, where))
    seen: set[tuple[str, ...]] = set()
    for i in (i for i, w in enumerate(words) if w in firsts):  # a name can only start at a name's first word
        for size in sizes:
            run = tuple(words[i:i + size])
            if run in secrets.names and run not in seen:
                seen.add(run)
                leaks.append(Leak("name", secrets.names[run].value, secrets.names[run].owner, where))
    return leaks


def body_parts(raw: str) -> list[str]:
    """The documents a request body carries: the body itself, or each part of a multipart body."""
    return _multipart_parts(raw) if raw.startswith("--") else [raw]


def texts_of_body(raw: str) -> list[tuple[str, Any, str]]:
    """The views of one request body to scan: raw text, and each JSON document it carries, decoded.

    Multipart bodies are split into parts, so the file a browser uploaded is parsed too.
    Returns (text, parsed JSON or None, raw part) triples; the first is the whole raw body.
    """
    views: list[tuple[str, Any, str]] = [(raw, None, raw)]
    for part in body_parts(raw):
        try:
            doc = json.loads(part)
        except (ValueError, RecursionError):  # not JSON, or nested too deep to parse: scanned raw only
            continue
        views.append((json.dumps(doc, ensure_ascii=False), doc, part))
    return views


def _multipart_parts(raw: str) -> list[str]:
    """The payloads of a multipart/form-data body, found from its first boundary line."""
    boundary = raw.split("\r\n", 1)[0].split("\n", 1)[0].strip()
    parts = []
    for chunk in raw.split(boundary)[1:]:
        if chunk.startswith("--"):
            break
        _, sep, payload = chunk.partition("\r\n\r\n")
        if not sep:
            _, sep, payload = chunk.partition("\n\n")
        parts.append(payload[:-2] if payload.endswith("\r\n") else payload)
    return parts


def export_docs(doc: Any) -> bool:
    """Whether a parsed body is an export file (or an attempt at one)."""
    return isinstance(doc, dict) and ("instance" in doc or "users" in doc or "format" in doc)


def ledger_paths(ledger: Any) -> list[tuple[str, str]]:
    """(entry label, path) for every field path listed anywhere in GHEC's `/_mock/ledger`.

    WHY tolerant: the ledger is GHEC's own record; we accept any layout that lists paths under
    a key named like `paths`/`fields`, so a change of envelope cannot make the check vacuous —
    an empty ledger after an upload is reported by the caller as a failure.
    """
    out: list[tuple[str, str]] = []

    def walk(node: Any, label: str) -> None:
        """Descend, remembering the nearest server/route as the label."""
        if isinstance(node, dict):
            here = str(node.get("server_id") or node.get("route") or node.get("path") or label)
            for key, value in node.items():
                if key in ("paths", "fields", "field_paths") and isinstance(value, list):
                    out.extend((here, str(p)) for p in value if isinstance(p, str))
                elif isinstance(value, (dict, list)):
                    walk(value, here)
        elif isinstance(node, list):
            for item in node:
                walk(item, label)

    walk(ledger, "ledger")
    return out


def without_known(value: Any, known: set[str]) -> Any:
    """A copy of a JSON value with every string GHEC knows by itself blanked out."""
    if isinstance(value, dict):
        return {k: without_known(v, known) for k, v in value.items()}
    if isinstance(value, list):
        return [without_known(v, known) for v in value]
    if isinstance(value, str) and value.strip().lower() in known:
        return ""
    return value
