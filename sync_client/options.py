"""Where each command's servers, tokens and keys come from: flags first, then environment variables.

WHY separate from the parser: the same resolution (flag, else `GHES_URL`/`GHEC_TOKEN`/…, else
a one-line usage error naming both) is needed by every command, by `sync` and by the tests,
and must produce the same clients with the same timeouts and retry policy everywhere.
"""
from __future__ import annotations

import argparse
import os
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from .clients import GhecClient, GhesClient, client_kwargs
from .errors import UsageError

SLUG = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?")
ENV = {"ghes_url": "GHES_URL", "ghes_token": "GHES_TOKEN", "ghec_url": "GHEC_URL",
       "ghec_token": "GHEC_TOKEN", "ghec_enterprise": "GHEC_ENTERPRISE", "control_key": "MOCK_CONTROL_KEY"}


def add_ghes(parser: argparse.ArgumentParser, many: bool = False) -> None:
    """--ghes-url/--ghes-token (repeatable for verify, which may look at several instances)."""
    group = parser.add_argument_group("GHES")
    if many:
        group.add_argument("--ghes-url", action="append", metavar="URL",
                           help="root URL of a GHES instance (repeat for several; env GHES_URL, comma-separated)")
    else:
        group.add_argument("--ghes-url", metavar="URL", help="GHES root URL as `serve` prints it (env GHES_URL)")
    group.add_argument("--ghes-token", metavar="TOKEN", help="GHES site-admin token (env GHES_TOKEN)")


def add_ghec(parser: argparse.ArgumentParser) -> None:
    """--ghec-url/--ghec-token/--ghec-enterprise."""
    group = parser.add_argument_group("GHEC")
    group.add_argument("--ghec-url", metavar="URL", help="GHEC root URL as `serve` prints it (env GHEC_URL)")
    group.add_argument("--ghec-token", metavar="TOKEN", help="GHEC enterprise-owner token (env GHEC_TOKEN)")
    group.add_argument("--ghec-enterprise", metavar="SLUG", help="GHEC enterprise slug (env GHEC_ENTERPRISE)")


def add_key(parser: argparse.ArgumentParser) -> None:
    """--ghec-private-key: opens encrypted exports (default: the project's TEST-ONLY key)."""
    parser.add_argument("--ghec-private-key", metavar="PATH",
                        help="PEM private key for encrypted exports (default: the test key in export_format/test_keys)")


def add_common(parser: argparse.ArgumentParser, reports: bool = True, network: bool = True) -> None:
    """--json, and for a command that talks to a server --timeout, --retries, --control-key."""
    if reports:
        parser.add_argument("--json", action="store_true", help="print a machine-readable JSON report")
    if not network:
        return
    parser.add_argument("--timeout", type=positive_float, default=30.0, metavar="SECONDS",
                        help="per-request connect/read timeout (default 30)")
    parser.add_argument("--retries", type=non_negative_int, default=3, metavar="N",
                        help="retries on 5xx, 429 and exhausted rate limits (default 3)")
    parser.add_argument("--control-key", metavar="KEY", help="X-Mock-Control-Key for /_mock/ (env MOCK_CONTROL_KEY)")


@dataclass
class Resolved:
    """The settings one command runs with."""

    args: argparse.Namespace

    def value(self, name: str) -> Any:
        """A flag's value, else its environment variable, else None."""
        flag = getattr(self.args, name, None)
        if flag:
            return flag
        env = ENV.get(name)
        return os.environ.get(env) or None if env else None

    def _kwargs(self) -> dict[str, Any]:
        """Timeout, retry policy and control key shared by every client."""
        return client_kwargs(getattr(self.args, "timeout", 30.0), getattr(self.args, "retries", 3),
                             self.value("control_key"))

    def require(self, names: list[str]) -> None:
        """Every missing setting of `names` in ONE usage error (not one per run)."""
        missing = [n for n in names if not self.value(n)]
        if missing:
            raise UsageError("missing " + ", ".join(f"--{n.replace('_', '-')} (or environment variable {ENV[n]})"
                                                    for n in missing))

    def _need(self, name: str, flag: str) -> str:
        """A required setting, or the usage error saying which flag or variable to set."""
        value = self.value(name)
        if not value:
            raise UsageError(f"missing {flag} (or environment variable {ENV[name]})")
        return clean_token(value, f"{flag}/{ENV[name]}") if name.endswith("token") else value

    def ghes(self, token_required: bool = True) -> GhesClient:
        """The one GHES this command talks to."""
        url = self.value("ghes_url")
        if isinstance(url, list):
            url = url[0] if url else None
        if not url:
            raise UsageError("missing --ghes-url (or environment variable GHES_URL)")
        token = self._need("ghes_token", "--ghes-token") if token_required else self.value("ghes_token")
        token = clean_token(token, "--ghes-token/GHES_TOKEN") if token else None
        return GhesClient(_check_url(url, "--ghes-url"), token, **self._kwargs())

    def ghes_many(self) -> list[GhesClient]:
        """Every GHES given (verify): repeated --ghes-url, or GHES_URL split on commas/spaces."""
        urls = getattr(self.args, "ghes_url", None) or []
        if isinstance(urls, str):
            urls = [urls]
        if not urls and os.environ.get("GHES_URL"):
            urls = [u for u in os.environ["GHES_URL"].replace(",", " ").split() if u]
        token = self.value("ghes_token")
        token = clean_token(token, "--ghes-token/GHES_TOKEN") if token else None
        return [GhesClient(_check_url(u, "--ghes-url"), token, **self._kwargs()) for u in urls]

    def ghec(self, token_required: bool = True) -> GhecClient:
        """The GHEC enterprise this command talks to."""
        url = self._need("ghec_url", "--ghec-url")
        token = self._need("ghec_token", "--ghec-token") if token_required else self.value("ghec_token")
        token = clean_token(token, "--ghec-token/GHEC_TOKEN") if token else None
        enterprise = check_slug(self._need("ghec_enterprise", "--ghec-enterprise"))
        return GhecClient(_check_url(url, "--ghec-url"), token, enterprise, **self._kwargs())

    def private_key(self) -> Any:
        """The key that opens encrypted exports."""
        from .exportfile import load_private_key
        return load_private_key(getattr(self.args, "ghec_private_key", None))


def clean_token(token: str, flag: str) -> str:
    """A token as given, minus surrounding whitespace; one with spaces or line breaks inside is refused.

    WHY: a token pasted with a trailing newline or two tokens glued together would otherwise
    fail deep inside `requests` with a message about header values.
    """
    token = token.strip()
    if any(c.isspace() or ord(c) < 32 for c in token):
        raise UsageError(f"{flag} contains spaces or line breaks; give the token alone")
    if not token.isascii():
        odd = next(c for c in token if not c.isascii())
        raise UsageError(f"{flag} contains {odd!r}, which no token has: paste the token itself (`serve` prints "
                         "it; the README's … is a placeholder)")
    return token


def check_slug(slug: str, flag: str = "--ghec-enterprise") -> str:
    """An enterprise slug as GitHub writes them (letters, digits, hyphens), else a usage error."""
    if not SLUG.fullmatch(slug):
        raise UsageError(f"{flag} {slug!r} is not an enterprise slug (letters, digits and hyphens, as in "
                         "github.com/enterprises/<slug>)")
    return slug


def _check_url(url: str, flag: str) -> str:
    """Refuse what is not an http(s) URL early, with the flag's name."""
    if not url.startswith(("http://", "https://")):
        raise UsageError(f"{flag} must be an http(s) URL, got {url!r}")
    parts = urlsplit(url)
    try:
        port = parts.port  # urllib raises on a port above 65535
    except ValueError:
        port = -1
    if port is not None and not 0 < port < 65536:
        raise UsageError(f"{flag} {url!r} has a port out of range (1-65535)")
    if not parts.hostname:
        raise UsageError(f"{flag} {url!r} has no host name (e.g. http://127.0.0.1:8082)")
    return url.rstrip("/")


def positive_float(text: str) -> float:
    """argparse type: seconds above zero (a zero or negative timeout or deadline means nothing)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r}: give a number of seconds above 0")
    return value


def non_negative_int(text: str) -> int:
    """argparse type: a count of 0 or more."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r}: give 0 or more")
    return value


#: The settings each command cannot run without, checked together so all missing ones are named at once.
NEEDED_SETTINGS: dict[str, list[str]] = {
    "export": ["ghes_url", "ghes_token"], "upload": ["ghec_url", "ghec_token", "ghec_enterprise"],
    "sync": ["ghes_url", "ghes_token", "ghec_url", "ghec_token", "ghec_enterprise"],
    "trigger": ["ghes_url", "ghes_token", "ghec_url", "ghec_token", "ghec_enterprise"],
    "status": ["ghec_url", "ghec_token", "ghec_enterprise"],
    "verify": ["ghes_url", "ghec_url", "ghec_token", "ghec_enterprise"],
}
