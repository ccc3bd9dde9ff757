"""What the browser tests share: signing in through the forms, screenshots, and the page checks
(overflow at phone width, accessible names, landmarks, headings, CSRF fields) that run on every page.

A uniquely named module (other suites have their own helpers) so pytest's rootdir imports never clash.
"""
from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
XSS = "<script>alert(1)</script>"
GHES_LICENSE = "/enterprise/settings/license"
GHES_USERS = "/enterprise/users"

#: Roles a person operates: each needs a non-empty accessible name.
CONTROL_ROLES = {"button", "link", "textbox", "searchbox", "checkbox", "radio", "combobox", "listbox",
                 "menuitem", "tab", "switch", "slider", "spinbutton", "progressbar"}


@dataclass
class Watch:
    """What a tab saw that a page must never cause: dialogs (alert from injected script), script
    errors, and Content-Security-Policy violations (inline script or style, foreign origins)."""

    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    csp: list[str] = field(default_factory=list)

    @classmethod
    def attach(cls, page: Any) -> Watch:
        """Record on `page` from now on (dialogs are dismissed, so nothing blocks)."""
        watch = cls()

        def on_dialog(dialog: Any) -> None:
            watch.dialogs.append(dialog.message)
            dialog.dismiss()

        def on_console(message: Any) -> None:
            if "Content Security Policy" in message.text:
                watch.csp.append(message.text)

        page.on("dialog", on_dialog)
        page.on("console", on_console)
        page.on("pageerror", lambda error: watch.errors.append(str(error)))
        return watch

    def assert_clean(self) -> None:
        """No dialog, no script error, no CSP violation."""
        assert not self.dialogs, f"a dialog opened: {self.dialogs}"
        assert not self.errors, f"script errors: {self.errors}"
        assert not self.csp, f"CSP violations: {self.csp}"


def sign_in(page: Any, base_url: str, token: str, path: str) -> None:
    """Open `path` signed out (the app sends us to its sign-in form), sign in, land back on `path`."""
    page.goto(base_url + path)
    assert "/login" in page.url, page.url
    submit_sign_in(page, token)
    assert urlsplit(page.url).path == urlsplit(path).path, page.url


def submit_sign_in(page: Any, token: str) -> None:
    """Fill the sign-in form on the current page with `token` and submit it."""
    page.get_by_label("Personal access token").fill(token)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def ghec_license_path(ghec: Any) -> str:
    """The main enterprise's License page."""
    return f"/enterprises/{ghec.enterprise}/settings/license"


def shoot(page: Any, name: str, full_page: bool = True) -> Path:
    """Save a screenshot under test-artifacts/screenshots/ (gitignored) and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def consumed(page: Any) -> int:
    """GHEC's consumed-licenses number as the License page shows it."""
    return int(page.locator("#seats-consumed").inner_text())


def horizontal_overflow(page: Any) -> int:
    """By how many CSS pixels the page is wider than the window (0 when nothing scrolls sideways)."""
    return page.evaluate("() => Math.max(0, document.documentElement.scrollWidth - window.innerWidth)")


def unnamed_controls(page: Any) -> list[str]:
    """Every control in Chromium's accessibility tree whose accessible name is empty."""
    session = page.context.new_cdp_session(page)
    try:
        nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        session.detach()
    missing = []
    for node in nodes:
        role = (node.get("role") or {}).get("value", "")
        name = str((node.get("name") or {}).get("value", "")).strip()
        if not node.get("ignored") and role in CONTROL_ROLES and not name:
            missing.append(f"{role} (backend node {node.get('backendDOMNodeId')})")
    return missing


def structure_problems(page: Any) -> list[str]:
    """Landmarks and headings: one banner, main and contentinfo; named navs; one h1; no skipped levels."""
    facts = page.evaluate("""() => ({
        main: document.querySelectorAll('main').length,
        banner: document.querySelectorAll('body > header').length,
        footer: document.querySelectorAll('body > footer').length,
        navs: [...document.querySelectorAll('nav')].map(n => n.getAttribute('aria-label') || ''),
        headings: [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => Number(h.tagName[1])),
        lang: document.documentElement.lang,
        title: document.title,
    })""")
    problems = []
    if (facts["main"], facts["banner"], facts["footer"]) != (1, 1, 1):
        problems.append(f"landmarks main/banner/contentinfo: {facts['main']}/{facts['banner']}/{facts['footer']}")
    if "" in facts["navs"] or len(set(facts["navs"])) != len(facts["navs"]):
        problems.append(f"navigation landmarks need distinct names: {facts['navs']}")
    levels = facts["headings"]
    if levels.count(1) != 1 or levels[0] != 1:
        problems.append(f"exactly one h1, first: {levels}")
    problems += [f"heading jumps from h{a} to h{b}" for a, b in itertools.pairwise(levels) if b > a + 1]
    if not facts["lang"] or not facts["title"]:
        problems.append("the document needs a lang and a title")
    return problems


def forms_without_csrf(page: Any) -> list[str]:
    """POST forms on the page that do not carry a non-empty csrf_token field."""
    return page.evaluate("""() => [...document.querySelectorAll('form')]
        .filter(f => (f.getAttribute('method') || 'get').toLowerCase() === 'post')
        .filter(f => !(f.querySelector('input[name=csrf_token]') || {}).value)
        .map(f => f.getAttribute('action'))""")


def check_page(page: Any, name: str) -> list[str]:
    """Every check that applies to any page, at laptop then phone width, with a screenshot of each
    (the laptop one a window's worth, the phone one the whole page: where overflow would show)."""
    problems = [f"{name}: {p}" for p in unnamed_controls(page) + structure_problems(page)]
    problems += [f"{name}: POST form without CSRF token: {a}" for a in forms_without_csrf(page)]
    shoot(page, f"{name}-laptop", full_page=False)
    page.set_viewport_size(PHONE)
    try:
        overflow = horizontal_overflow(page)
        if overflow:
            problems.append(f"{name}: {overflow}px of horizontal page overflow at {PHONE['width']}px")
        shoot(page, f"{name}-phone")
    finally:
        page.set_viewport_size(LAPTOP)
    return problems


def replace_in_snapshot(mock: Any, old: str, new: str) -> None:
    """Rewrite a value everywhere in the mock's state through the control plane (snapshot/restore).

    How a test plants a hostile value where no API writes one (a display name comes from the
    directory, not from an API call). `old` must be plain ASCII without JSON metacharacters.
    """
    assert old and re.fullmatch(r"[ -~]+", old) and not set(old) & set('"\\'), old
    text = json.dumps(mock.snapshot())
    assert old in text, old
    mock.restore(json.loads(text.replace(old, new)))
