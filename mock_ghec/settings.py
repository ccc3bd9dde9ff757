"""The mock GHEC's settings: defaults, then `MOCK_GHEC_*` environment variables, then config.

Every knob the app reads is listed here with its default, so `create_app(config)`, the CLI
and the environment can never disagree about names or types (github_http.settings coerces
environment strings to the type of the default, and refuses unknown config keys).
"""
from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from export_format.limits import MAX_EXPORT_BYTES
from github_http.settings import load_settings
from scenarios.file.use import settle_scenario_settings

ENV_PREFIX = "MOCK_GHEC_"

DEFAULTS: dict[str, Any] = {
    "SEED": 1,                  # the scenario's seed
    "SCENARIO": "demo",         # the scenario preset (scenarios.PRESETS)
    "SCENARIO_PARAMS": "",      # JSON object of ScenarioParams overrides, e.g. {"people": 40}
    "SCENARIO_FILE": "",        # a scenario file (YAML/JSON, docs/scenarios.md) instead of a preset
    "SCENARIO_DOCUMENT": None,  # config only: a scenario file's parsed document (the pytest plugin)
    "SCENARIO_WORLD": None,   # config only: the world SCENARIO_DOCUMENT builds, built (the plugin: built once)
    "STATE_PATH": "",           # SQLite file; "" = a private temporary database
    "OWNER_TOKEN": "",          # fixes the first enterprise owner's token ("" = from the seed)
    "ENTERPRISE": "",           # renames the first enterprise ("" = the scenario's slug)
    "GHEC_PRIVATE_KEY": "",     # PEM private key that opens encrypted exports ("" = the test key)
    "CONTROL_KEY": "",          # X-Mock-Control-Key for /_mock/ off loopback ("" = loopback only)
    "ALLOWED_HOSTS": "",        # extra Host names /_mock/ and page forms accept (docs/security.md)
    "JOURNAL": True,            # record requests in /_mock/journal
    "HOT_PATHS": True,          # answer consumed-licenses' and GET /user's plain cases without Flask (api_hot.py)
    "PAGE_CACHE_MIB": 64,       # consumed-licenses pages kept in memory per process, MiB; 0 = none (page_cache.py)
    "RATE_LIMIT": True,         # GitHub's primary rate limit on the mock clock (github_http/rate_limit.py)
    "RATE_LIMIT_PER_HOUR": 5000,  # per token
    "RATE_LIMIT_ANONYMOUS": 60,   # per IP without a (known) token
    "JOURNAL_MAX_ENTRIES": 1000,
    "LICENSE_REPORT_HEADERS": "current",  # the license report's headers: "current" or "legacy" (snake_case)
    "LICENSE_REPORT_VARIANT": "ghec",     # "ghec", or "ghe.com" (data residency: "GitHub …" headers)
    "RESET_TEMPLATE_MIB": 64,   # the seeded state kept (a temp file) for /_mock/reset to copy, MiB; 0 = rebuild
    "JOURNAL_MAX_BODY_BYTES": 64 << 20,
    "JOURNAL_MAX_TOTAL_BODY_BYTES": 256 << 20,  # request body bytes the whole journal keeps (oldest dropped first)
    "SECRET_KEY": "",           # page session key ("" = derived from the seed)
    "MAX_UPLOAD_BYTES": MAX_EXPORT_BYTES,  # largest export file accepted (413 above)
    # SQLite page cache (MiB) of the connection while it writes an accepted file's rows; 0 =
    # SQLite's default (2 MiB). Bigger: fewer pages spilled to the WAL mid-transaction.
    "WRITE_CACHE_MIB": 128,
    # Test hook only: a marker file path; an accepted upload/push creates it and holds just
    # before its COMMIT until the file is deleted, so crash tests can kill -9 mid-transaction.
    "TEST_HOLD_BEFORE_COMMIT": "",
}


def load(config: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Resolve the app's settings and fill the derived ones.

    WHY derive SECRET_KEY from the seed: a mock's sessions need no secrecy beyond the
    process, and a stable key lets a restarted `mock-ghec --state` keep browser sessions.
    """
    settings = load_settings(DEFAULTS, ENV_PREFIX, config)
    settle_scenario_settings(settings, ENV_PREFIX, config)
    if not settings.get("SECRET_KEY"):
        settings["SECRET_KEY"] = hashlib.sha256(f"mock-ghec:{settings['SEED']}".encode()).hexdigest()
    return settings
