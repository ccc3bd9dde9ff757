"""Settings of the mock GHES: defaults here, `MOCK_GHES_*` environment variables, then config.

Every knob lives in one table so `docs/ghes.md`, the CLI flags and the environment agree;
`github_http.settings.load_settings` types environment values by these defaults.
"""
from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from github_http.settings import load_settings
from scenarios.file.use import settle_scenario_settings

ENV_PREFIX = "MOCK_GHES_"

DEFAULTS: dict[str, Any] = {
    "SEED": 1,                      # the scenario's seed (scenarios.build)
    "SCENARIO": "demo",             # the scenario preset
    "SCENARIO_PARAMS": "",          # JSON object of ScenarioParams overrides, e.g. {"people": 1000}
    "SCENARIO_FILE": "",            # a scenario file (YAML/JSON, docs/scenarios.md) instead of a preset
    "SCENARIO_DOCUMENT": None,      # config only: a scenario file's parsed document (the pytest plugin)
    "SCENARIO_WORLD": None,       # config only: the world SCENARIO_DOCUMENT builds, built (the plugin: built once)
    "INSTANCE": 1,                  # which GHES instance of the scenario this server is (1-based)
    "STATE_PATH": "",               # SQLite file; "" = ephemeral (removed at exit)
    "ADMIN_TOKEN": "",              # the site admin's token; "" = derived from the seed
    "GHEC_PUBLIC_KEY": "",          # PEM the export is encrypted to; "" = the test key
    "CONTROL_KEY": "",              # require X-Mock-Control-Key on /_mock/ (else loopback only)
    "ALLOWED_HOSTS": "",            # extra Host names /_mock/ and page forms accept (docs/security.md)
    # Whether bots and never-signed-in accounts consume a license (DOMAIN §3 leaves it open).
    # Bots: GHES machine accounts sign in and use the product like people, so they count.
    # Never signed in: "every active user who has authenticated" excludes them.
    "COUNT_BOTS": True,
    "COUNT_NEVER_SIGNED_IN": True,
    "CONNECT_URL": "",              # preconfigure GitHub Connect (all three, with license sync on)
    "CONNECT_ENTERPRISE": "",
    "CONNECT_TOKEN": "",
    "CONNECT_TIMEOUT": 10.0,        # seconds, connect and read, for every call to GHEC
    "CONNECT_SESSION": None,        # config only: a requests.Session for the calls to GHEC (tests)
    "SYNC_PERIOD_DAYS": 7,          # the automatic license sync's period
    "HOT_PATHS": True,              # answer GET /api/v3/user's plain case without Flask (api_hot.py)
    "JOURNAL": True,
    "JOURNAL_MAX_ENTRIES": 1000,
    "RESET_TEMPLATE_MIB": 64,       # the seeded state kept (a temp file) for /_mock/reset to copy, MiB; 0 = rebuild
    "JOURNAL_MAX_BODY_BYTES": 64 << 20,
    "JOURNAL_MAX_TOTAL_BODY_BYTES": 256 << 20,  # request body bytes the whole journal keeps (oldest dropped first)
    "SECRET_KEY": "",               # page sessions; "" = derived from the seed (workers agree)
    "HTTP_ONLY": True,              # the mock serves plain HTTP; goes into the export's instance block
    "HOST_NAME": "",                # override the scenario instance's host name ("" = the scenario's)
    "REPORT_CACHE_SECONDS": 3600,   # app-clock seconds a built site-admin report is served before it is rebuilt
    "DUE_CHECK_TTL": 5.0,           # seconds a worker trusts its cached next-sync time (other workers)
    "RATE_LIMIT": False,            # GitHub's primary rate limit (GHES ships with it off: docs/ghes.md)
    "RATE_LIMIT_PER_HOUR": 5000,    # per token, when on
    "RATE_LIMIT_ANONYMOUS": 60,     # per IP without a token, when on
}


def load(config: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Resolve the settings and normalise the few that need it (JSON params, derived secret)."""
    settings = load_settings(DEFAULTS, ENV_PREFIX, config)
    settle_scenario_settings(settings, ENV_PREFIX, config)
    if not settings["SECRET_KEY"]:
        settings["SECRET_KEY"] = derived_secret(settings["SEED"], settings["INSTANCE"])
    return settings


def derived_secret(seed: int, instance: int) -> str:
    """A session key every worker of the same seed computes alike; public, as a mock's may be."""
    return hashlib.sha256(f"mock-ghes:{seed}:{instance}:session".encode()).hexdigest()
