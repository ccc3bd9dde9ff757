"""Browser fixtures: one headless system Chromium per session, a fresh context per test.

Playwright's own browser download is unavailable here, so the system `chromium` (Debian's
package) is launched through `executable_path`. Where it cannot be had the browser tests are
deselected by name with the reason (printed at the end of the run), except under `CI=true`: a
CI run that silently left its browser suite out would report green while testing nothing in a
browser, so there the missing browser is a failure.
The mocks are the plugin's session servers (`ghes`, `ghec`), reset before every test.
"""
from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_helpers import LAPTOP, Watch
from run_count import deselect

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]


def browser_unavailable(reason: str) -> None:
    """Skip with `reason`, or fail under CI=true (where a skipped browser suite would hide a broken setup)."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests cannot run under CI=true: {reason}", pytrace=False)
    pytest.skip(reason)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Without chromium or playwright (and not under CI=true), leave the browser tests out by name:
    a skip would count as a test that did not run and fail the run (tests/run_count.py)."""
    if os.environ.get("CI") == "true":
        return  # there a missing browser fails each browser test (browser_unavailable)
    missing = [why for why, absent in (("the system chromium is not installed", shutil.which("chromium") is None),
                                       ("playwright is not importable", importlib.util.find_spec("playwright") is None))
               if absent]
    if missing:
        here = Path(__file__).parent
        deselect(config, items, [item for item in items if item.path.is_relative_to(here)], "; ".join(missing))


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """The system Chromium (never Playwright's download, which is unavailable here)."""
    path = shutil.which("chromium")
    if path is None:
        browser_unavailable("the system chromium is not installed (apt-get install -y chromium)")
    return path  # type: ignore[return-value]


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Any]:
    """One headless Chromium for the whole session: starting it is most of a browser test's cost."""
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        browser_unavailable(f"the playwright package is not importable: {error}")
        raise
    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True)
        except PlaywrightError as error:
            browser_unavailable(f"chromium at {chromium_path} did not start: {error.message.splitlines()[0]}")
            raise
        yield launched
        launched.close()


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    """A fresh browser context per test: its own cookies (sessions), downloads accepted, laptop size."""
    ctx = browser.new_context(viewport=LAPTOP, accept_downloads=True, locale="en-US")
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: Any) -> Any:
    """A tab that records dialogs, script errors and CSP violations (`page.watch`)."""
    tab = context.new_page()
    tab.watch = Watch.attach(tab)
    return tab
