"""`license-sync doctor`: every setting checked in one run, each failure with its fix.

WHY one command: a wrong URL, a token of the wrong role, a misspelt slug, Connect pointing at
another GHEC or clocks far apart each fail a sync in their own way, one at a time. Doctor asks
each server a few questions and prints a checklist. On real GitHub it uses only public
endpoints: GHES `GET /api/v3/user` and `GET /api/v3/enterprise/settings/license`; GHEC
`GET /user`, `GET /enterprises/{slug}/consumed-licenses?per_page=1` and
`GET /enterprises/{slug}/license-sync-status`. Where a mock's own routes answer (GHES
`/api/v3/enterprise/connect`, `/_mock/clock`) it also reads them; where they do not (real
GitHub) those checks fall back (the clock to `Date` headers) or are skipped, never failed.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

import requests

from github_http.clock import parse_time
from github_http.net_reason import connection_reason

from .doctor_answers import first, is_json, missing, token_scopes
from .errors import UsageError
from .options import Resolved, check_slug, clean_token
from .probe import Probe, ghec_mistake, ghes_mistake, probe

PASS, FAIL, WARN, SKIP = "pass", "fail", "warn", "skip"
MAX_SKEW_SECONDS = 300  # GHEC refuses a file from more than this far in its future (docs/ghec.md)
GHEC_SCOPES = ("read:enterprise", "admin:enterprise", "manage_billing:enterprise")


@dataclass
class Finding:
    """One line of the checklist."""

    key: str
    status: str
    detail: str
    fix: str = ""


class Doctor:
    """Runs the checks in order; later checks are skipped when what they need already failed."""

    def __init__(self, opts: Resolved) -> None:
        """Read settings without raising: a missing one is itself a finding."""
        self.opts = opts
        self.timeout = float(getattr(opts.args, "timeout", 30.0) or 30.0)
        self.session = requests.Session()
        self.session.headers.update({"Accept": "application/vnd.github+json", "User-Agent": "license-sync doctor"})
        self.findings: list[Finding] = []
        self.ghes_url = first(opts.value("ghes_url"))
        self.unusable: dict[str, str] = {}  # a setting that cannot even be sent, and why
        self.ghes_token = self.usable("ghes_token", "--ghes-token/GHES_TOKEN", clean_token)
        self.ghec_url = (opts.value("ghec_url") or "").rstrip("/") or None
        self.ghec_token = self.usable("ghec_token", "--ghec-token/GHEC_TOKEN", clean_token)
        self.slug = self.usable("ghec_enterprise", "--ghec-enterprise", check_slug)
        self.ghes_probe: Probe | None = None
        self.ghec_probe: Probe | None = None
        self.ghec_ok = False

    def usable(self, name: str, flag: str, check: Callable[[str, str], str]) -> str | None:
        """The setting after `check`; one that fails it is kept as unusable (reported by its check)."""
        value = self.opts.value(name)
        if not value:
            return None
        try:
            return check(value, flag)
        except UsageError as error:
            self.unusable[name] = error.message
            return None

    def add(self, key: str, status: str, detail: str, fix: str = "") -> None:
        """Record one finding."""
        self.findings.append(Finding(key, status, detail, fix))

    def get(self, url: str, token: str | None) -> tuple[requests.Response | None, str | None]:
        """One GET, no retries: (response, None) or (None, why it failed)."""
        headers = {"Authorization": f"token {token}"} if token else {}
        try:
            return self.session.get(url, headers=headers, timeout=self.timeout, allow_redirects=False), None
        except requests.RequestException as error:
            return None, connection_reason(error)

    def run(self) -> list[Finding]:
        """Every check, in the order a person would fix them."""
        self.check_ghes()
        self.check_ghec()
        self.check_connect()
        self.check_clock()
        self.session.close()
        return self.findings

    # -- GHES ------------------------------------------------------------------------------
    def check_ghes(self) -> None:
        """ghes-url (reachable, really GHES /api/v3) and ghes-token (valid, site admin, scopes)."""
        url = self.ghes_url
        if not url:
            self.add("ghes-url", FAIL, "no GHES URL given", missing("ghes_url", "--ghes-url"))
            self.add("ghes-token", SKIP, "needs the GHES URL")
            return
        url = url.rstrip("/")
        found = self.ghes_probe = probe(self.session, url + "/api/v3", self.ghes_token, self.timeout)
        if found.error:
            self.add("ghes-url", FAIL, f"cannot reach GHES at {url}: {found.error}",
                     "start the server or correct the URL (`mock-ghes serve` prints it)")
            self.add("ghes-token", SKIP, "needs a reachable GHES")
            return
        if not found.is_ghes_api:
            mistake = ghes_mistake(url, found, probe(self.session, url, self.ghes_token, self.timeout))
            self.add("ghes-url", FAIL, mistake.message if mistake else "not a GHES", "see the message")
            self.add("ghes-token", SKIP, "needs a GHES URL")
            return
        self.add("ghes-url", PASS, f"GHES {found.enterprise_version}, API at {url}/api/v3")
        self.check_ghes_token(url, found)

    def check_ghes_token(self, url: str, found: Probe) -> None:
        """The token is valid, a site admin's, and (classic tokens) has the site_admin scope."""
        if not self.ghes_token:
            self.add("ghes-token", FAIL, self.unusable.get("ghes_token", "no GHES token given"),
                     missing("ghes_token", "--ghes-token"))
            return
        if found.status == 401:
            self.add("ghes-token", FAIL, "GHES rejected the token (401)",
                     "give a site admin's token (`mock-ghes serve` prints one as `site admin`)")
            return
        body = found.body if isinstance(found.body, dict) else {}
        scopes = token_scopes(found)
        if not body.get("site_admin"):
            self.add("ghes-token", FAIL, f"{body.get('login', 'the token')} is not a site admin",
                     "use a site administrator's token: exporting license usage needs one")
        elif scopes is not None and "site_admin" not in scopes:
            self.add("ghes-token", FAIL, f"the token's scopes are {', '.join(scopes) or 'none'}",
                     "create a classic token with the site_admin scope")
        else:
            response, error = self.get(url + "/api/v3/enterprise/settings/license", self.ghes_token)
            if response is None or response.status_code != 200:
                answered = error if response is None else response.status_code
                self.add("ghes-token", FAIL, f"GET /api/v3/enterprise/settings/license answered {answered}",
                         "the token must be able to read the license (a site admin's)")
                return
            seats = response.json() if is_json(response) else {}
            self.add("ghes-token", PASS, f"site admin {body.get('login')}; license: {seats.get('seats_used')} of "
                     f"{seats.get('seats')} seats used" + (f"; scopes {', '.join(scopes)}" if scopes else ""))

    # -- GHEC ------------------------------------------------------------------------------
    def check_ghec(self) -> None:
        """ghec-url (a GHEC API root), ghec-token (valid, scopes), ghec-enterprise (exists, owner)."""
        url = self.ghec_url
        if not url:
            self.add("ghec-url", FAIL, "no GHEC URL given", missing("ghec_url", "--ghec-url"))
            self.add("ghec-token", SKIP, "needs the GHEC URL")
            self.add("ghec-enterprise", SKIP, "needs the GHEC URL")
            return
        found = self.ghec_probe = probe(self.session, url, self.ghec_token, self.timeout)
        if found.error or not found.is_ghec_api:
            mistake = ghec_mistake(url, found)
            detail = f"cannot reach GHEC at {url}: {found.error}" if found.error else (
                mistake.message if mistake else "not a GHEC API root")
            self.add("ghec-url", FAIL, detail, "start the server or correct the URL: GHEC's API root "
                     "(https://api.github.com, or what `mock-ghec serve` prints)")
            self.add("ghec-token", SKIP, "needs a GHEC API root")
            self.add("ghec-enterprise", SKIP, "needs a GHEC API root")
            return
        self.add("ghec-url", PASS, f"GitHub API at {url}")
        if not self.ghec_token:
            self.add("ghec-token", FAIL, self.unusable.get("ghec_token", "no GHEC token given"),
                     missing("ghec_token", "--ghec-token"))
        elif found.status == 401:
            self.add("ghec-token", FAIL, "GHEC rejected the token (401)",
                     "give an enterprise owner's token (`mock-ghec serve` prints it as `Enterprise owner`)")
            self.add("ghec-enterprise", SKIP, "needs a valid GHEC token")
            return
        else:
            scopes = token_scopes(found)
            if scopes is not None and not set(scopes) & set(GHEC_SCOPES):
                self.add("ghec-token", FAIL, f"the token's scopes are {', '.join(scopes) or 'none'}",
                         "create a classic token with the read:enterprise scope")
            else:
                login = found.body.get("login") if isinstance(found.body, dict) else None
                self.add("ghec-token", PASS, f"token of {login}" + (f"; scopes {', '.join(scopes)}" if scopes else ""))
        self.check_enterprise(url)

    def check_enterprise(self, url: str) -> None:
        """The slug exists and the token's user owns it (consumed-licenses answers)."""
        if not self.slug:
            self.add("ghec-enterprise", FAIL, self.unusable.get("ghec_enterprise", "no enterprise slug given"),
                     missing("ghec_enterprise", "--ghec-enterprise"))
            return
        if not self.ghec_token:
            self.add("ghec-enterprise", SKIP, "needs a GHEC token")
            return
        response, error = self.get(f"{url}/enterprises/{self.slug}/consumed-licenses?per_page=1", self.ghec_token)
        if response is not None and response.status_code == 200 and is_json(response):
            body = response.json()
            self.ghec_ok = True
            self.add("ghec-enterprise", PASS, f"{self.slug}: the token is an owner; "
                     f"{body.get('total_seats_consumed')} of {body.get('total_seats_purchased')} seats consumed")
            return
        status = error or (response.status_code if response is not None else "no answer")
        self.add("ghec-enterprise", FAIL, f"GET /enterprises/{self.slug}/consumed-licenses answered {status}",
                 f"check the slug {self.slug!r} (the enterprise's URL on GitHub) and that the token's user is one "
                 "of its owners")

    # -- Connect and clock -------------------------------------------------------------------
    def check_connect(self) -> None:
        """GHES's Connect settings point at this GHEC and enterprise; GHEC lists the server."""
        if not (self.ghes_probe and self.ghes_probe.is_ghes_api and self.ghes_token and self.ghes_url):
            self.add("connect", SKIP, "needs a reachable GHES and its token")
            return
        response, _ = self.get(self.ghes_url.rstrip("/") + "/api/v3/enterprise/connect", self.ghes_token)
        if response is None or response.status_code != 200 or not is_json(response):
            self.add("connect", SKIP, "GHES does not publish its GitHub Connect state in its API",
                     "check Enterprise settings → GitHub Connect on the GHES")
            return
        state = response.json()
        enable = ("to sync by GitHub Connect: `mock-ghes serve --connect-url … --connect-enterprise … "
                  "--connect-token …`, or PUT /api/v3/enterprise/connect, or the License page's form")
        if not state.get("license_sync"):
            self.add("connect", WARN, "GitHub Connect license sync is off (the manual export/upload works)", enable)
            return
        target, slug = (state.get("ghec_url") or "").rstrip("/"), state.get("enterprise")
        if self.ghec_url and target != self.ghec_url:
            self.add("connect", FAIL, f"GHES syncs to {target}, not to {self.ghec_url}", enable)
        elif self.slug and slug != self.slug:
            self.add("connect", FAIL, f"GHES syncs to enterprise {slug!r}, not {self.slug!r}", enable)
        elif not state.get("registered"):
            self.add("connect", FAIL, f"not registered with GHEC: {state.get('registration_error') or 'not yet'}",
                     "press Sync now (`license-sync trigger`) once GHEC is up; check the Connect token")
        else:
            self.check_listed(state)

    def check_listed(self, state: dict[str, Any]) -> None:
        """GHEC's license-sync-status lists the GHES's server id."""
        if not (self.ghec_ok and self.ghec_url):
            self.add("connect", PASS, f"on, registered as server {state.get('server_id')} (GHEC not checked)")
            return
        response, _ = self.get(f"{self.ghec_url}/enterprises/{self.slug}/license-sync-status", self.ghec_token)
        servers = response.json().get("server_instances") or [] if response is not None and is_json(response) else []
        if any(s.get("server_id") == state.get("server_id") for s in servers):
            self.add("connect", PASS, f"on, server {state.get('server_id')} is listed by GHEC")
        else:
            self.add("connect", FAIL, f"GHEC does not list server {state.get('server_id')}",
                     "press Sync now (`license-sync trigger`): it registers the server again")

    def check_clock(self) -> None:
        """The two clocks agree within MAX_SKEW_SECONDS (the mocks' own clocks when they say)."""
        sides = []
        for url, found in ((self.ghes_url, self.ghes_probe), (self.ghec_url, self.ghec_probe)):
            sides.append(self.clock_of(url, found) if url and found and not found.error else None)
        if None in sides:
            self.add("clock", SKIP, "needs both servers reachable")
            return
        ghes_now, ghec_now = sides[0], sides[1]
        assert ghes_now is not None and ghec_now is not None
        skew = (ghes_now[0] - ghec_now[0]).total_seconds()
        detail = (f"GHES is {abs(skew):,.0f} s {'ahead of' if skew > 0 else 'behind'} GHEC "
                  f"({ghes_now[1]}, {ghec_now[1]})")
        if abs(skew) > MAX_SKEW_SECONDS:
            self.add("clock", FAIL, detail, "set both clocks right (NTP; on the mocks PUT /_mock/clock): GHEC "
                     f"refuses a file more than {MAX_SKEW_SECONDS} s in its future")
        else:
            self.add("clock", PASS, detail)

    def clock_of(self, url: str, found: Probe) -> tuple[Any, str] | None:
        """(now, where it came from): a mock's /_mock/clock, else the Date header of its answer."""
        response, _ = self.get(url.rstrip("/") + "/_mock/clock", None)
        if response is not None and response.status_code == 200 and is_json(response):
            now = response.json().get("now") if isinstance(response.json(), dict) else None
            if isinstance(now, str):
                return parse_time(now), "mock clock"
        date = (found.headers or {}).get("date")
        return (parsedate_to_datetime(date), "Date header") if date else None


def run_doctor(opts: Resolved) -> list[Finding]:
    """The checklist for these settings."""
    return Doctor(opts).run()
