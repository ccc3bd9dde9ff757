"""The pages through the test client: sign-in, License page, upload form with CSRF, CSV, row page."""
from __future__ import annotations

import csv
import io
import re

import pytest
from ghec_helpers import export_bytes, export_for, reference, snapshot, user

import scenarios
from mock_ghec.license_report import CURRENT_HEADERS

ROW_FIELDS = list(
    reference()["components"]["schemas"]["get-consumed-licenses"]["properties"]["users"]["items"]["properties"])


def csrf(html: str) -> str:
    """The CSRF token rendered into a page's forms."""
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_in(client, token: str, next_url: str = "") -> object:
    """Sign in through the login form (with its CSRF token)."""
    page = client.get("/login").get_data(as_text=True)
    return client.post("/login", data={"token": token, "csrf_token": csrf(page), "next": next_url})


@pytest.fixture
def signed_in(client, scenario, main):
    """The test client signed in as the main enterprise's owner."""
    assert sign_in(client, scenario.tokens[f"ghec:{main.slug}:owner"]).status_code == 302
    return client


def license_url(slug: str) -> str:
    """The License page."""
    return f"/enterprises/{slug}/settings/license"


def test_login_page_is_accessible_and_rejects_bad_tokens(client):
    """A labelled token input; a wrong token is a 401 page with the error; CSRF is required."""
    page = client.get("/login").get_data(as_text=True)
    assert '<label for="token">' in page and 'id="token"' in page and "Sign in</button>" in page
    assert sign_in(client, "ghp_wrong").status_code == 401
    assert client.post("/login", data={"token": "x"}).status_code == 400  # no CSRF token


def test_license_page_needs_a_signed_in_owner(client, scenario, main, other):
    """Anonymous → sign-in (and back); member → 404; another enterprise's owner → 404."""
    response = client.get(license_url(main.slug))
    assert response.status_code == 302 and "/login?next=" in response.headers["Location"]
    back = sign_in(client, scenario.tokens[f"ghec:{main.slug}:owner"], license_url(main.slug))
    assert back.headers["Location"].endswith(license_url(main.slug))
    other_client = client.application.test_client()
    sign_in(other_client, scenario.tokens[f"ghec:{main.slug}:member"])
    assert other_client.get(license_url(main.slug)).status_code == 404
    sign_in(other_client, scenario.tokens[f"ghec:{other.slug}:owner"])
    assert other_client.get(license_url(main.slug)).status_code == 404
    assert other_client.get(license_url(other.slug)).status_code == 200
    elsewhere = sign_in(other_client, scenario.tokens[f"ghec:{other.slug}:owner"], "//evil.example/")
    assert "evil" not in elsewhere.headers["Location"]  # no open redirect after sign-in


def test_license_page_content(signed_in, main):
    """Consumed / purchased, the instances section, the upload form with a drop zone, the list."""
    page = signed_in.get(license_url(main.slug)).get_data(as_text=True)
    assert f'id="seats-consumed">{len(main.members)}<' in page
    assert f'id="seats-purchased">{main.seats_purchased}<' in page
    assert "Enterprise Server instances" in page and "Add server usage" in page
    assert re.search(r'<div id="dropzone"[^>]*>\s*<label for="usage-file">', page)
    assert 'type="file" id="usage-file" name="file"' in page and 'enctype="multipart/form-data"' in page
    assert "Upload server usage</button>" in page and 'name="csrf_token"' in page
    assert page.count('data-rownum="') == 50


def test_upload_through_the_form(signed_in, scenario, main):
    """The form's multipart upload with CSRF: redirect back, the instance shows its event."""
    page = signed_in.get(license_url(main.slug)).get_data(as_text=True)
    raw = export_for(scenario.ghes[0], encrypted=True)
    response = signed_in.post(f"{license_url(main.slug)}/server-usage",
                              data={"csrf_token": csrf(page), "file": (io.BytesIO(raw), "usage.json")})
    assert response.status_code == 302
    page = signed_in.get(license_url(main.slug)).get_data(as_text=True)
    assert "Server usage uploaded" in page and scenario.ghes[0].host_name in page
    assert 'class="flash flash-success"' in page


def test_form_upload_requires_csrf(signed_in, scenario, main):
    """Without the session's CSRF token the upload is a 400 and nothing changes."""
    before = snapshot(signed_in)
    response = signed_in.post(f"{license_url(main.slug)}/server-usage",
                              data={"file": (io.BytesIO(export_for(scenario.ghes[0])), "usage.json")})
    assert response.status_code == 400
    assert snapshot(signed_in) == before


def test_refused_form_upload_lists_problems_and_changes_nothing(signed_in, main):
    """A bad file: the page (422) lists every problem; state unchanged."""
    page = signed_in.get(license_url(main.slug)).get_data(as_text=True)
    bad = export_bytes("11111111-1111-4111-8111-111111111111", "a.example", [user(1, "p@n.example")])
    bad = bad.replace(b'"id":1', b'"id":1,"login":"pat"').replace(b'"version":"3.15.2"', b'"version":"x"')
    before = snapshot(signed_in)
    response = signed_in.post(f"{license_url(main.slug)}/server-usage",
                              data={"csrf_token": csrf(page), "file": (io.BytesIO(bad), "usage.json")})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="upload-problems"' in html and 'role="alert"' in html
    assert "$.users[0].login" in html and "$.instance.version" in html and "Nothing was changed" in html
    assert snapshot(signed_in) == before
    empty = signed_in.post(f"{license_url(main.slug)}/server-usage", data={"csrf_token": csrf(page)})
    assert empty.status_code == 422 and "choose a license usage file" in empty.get_data(as_text=True)


def test_names_are_escaped(make_app, monkeypatch):
    """A GitHub.com display name with markup is shown as text, never as markup."""
    real_build = scenarios.build

    def build(*args, **kwargs):
        """The demo scenario with one member renamed to a script tag."""
        world = real_build(*args, **kwargs)
        world.enterprises[0].members[0].name = "<script>alert('x')</script>"
        return world

    monkeypatch.setattr(scenarios, "build", build)
    app = make_app()
    client = app.test_client()
    world = real_build(1, "demo")
    slug = world.enterprises[0].slug
    sign_in(client, world.tokens[f"ghec:{slug}:owner"])
    login = world.enterprises[0].members[0].login
    page = client.get(f"{license_url(slug)}?q={login}").get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    rownum = re.search(r'data-rownum="(\d+)"', page).group(1)
    row_page = client.get(f"{license_url(slug)}/users/{rownum}").get_data(as_text=True)
    assert "<script>alert" not in row_page and "&lt;script&gt;" in row_page


def test_search_and_pagination(signed_in, scenario, main):
    """?q= matches logins and server emails (values, not key names); pages link to each other."""
    login = main.members[10].login
    page = signed_in.get(f"{license_url(main.slug)}?q={login.upper()}").get_data(as_text=True)
    assert login in page and 'id="result-count">1 license' in page
    searched = signed_in.get(f"{license_url(main.slug)}?q=license_type").get_data(as_text=True)
    assert 'id="result-count">0 licenses' in searched
    second = signed_in.get(f"{license_url(main.slug)}?page=2").get_data(as_text=True)
    assert 'rel="prev"' in second and 'rel="next"' in second and "Page 2 of 3" in second


def test_csv_download(signed_in, scenario, main):
    """The License page's CSV report is GitHub's license report: its headers, one line per consumed license."""
    response = signed_in.get(f"{license_url(main.slug)}/consumed-licenses.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == CURRENT_HEADERS
    assert len(rows) == 1 + len(main.members)
    record = dict(zip(rows[0], rows[1], strict=True))
    assert record["GitHub com user"] == "true" and record["Total user accounts"] == "1"
    legacy = signed_in.get(f"{license_url(main.slug)}/consumed-licenses.csv?headers=legacy").get_data(as_text=True)
    assert legacy.startswith("github_com_login,")


def test_row_page_explains_merges(signed_in, scenario, main):
    """A person's page names each merged server account, the rule and why."""
    page = signed_in.get(license_url(main.slug)).get_data(as_text=True)
    signed_in.post(f"{license_url(main.slug)}/server-usage",
                   data={"csrf_token": csrf(page), "file": (io.BytesIO(export_for(scenario.ghes[0])), "u.json")})
    case = next(c for c in scenario.planted if c.kind == "identity-only")
    listing = signed_in.get(f"{license_url(main.slug)}?q={case.ghec_login}").get_data(as_text=True)
    rownum = re.search(r'data-rownum="(\d+)"', listing).group(1)
    row_page = signed_in.get(f"{license_url(main.slug)}/users/{rownum}").get_data(as_text=True)
    assert 'data-rule="saml:' in row_page and "SAML/SCIM identity" in row_page
    assert signed_in.get(f"{license_url(main.slug)}/users/99999").status_code == 404


def test_logout(signed_in, main):
    """Signing out ends the session."""
    page = signed_in.get(license_url(main.slug)).get_data(as_text=True)
    assert signed_in.post("/logout", data={"csrf_token": csrf(page)}).status_code == 302
    assert signed_in.get(license_url(main.slug)).status_code == 302


def test_pages_forbid_inline_script_and_every_post_form_carries_the_csrf_token(signed_in, main):
    """CSP without unsafe-inline; the drop zone's script is a static file; every POST form has the token."""
    page = signed_in.get(license_url(main.slug))
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "form-action 'self'" in csp
    html = page.get_data(as_text=True)
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == [] and 'style="' not in html
    forms = re.findall(r"<form\b[^>]*>.*?</form>", html, flags=re.S)
    assert [f for f in forms if 'method="post"' in f and 'name="csrf_token" value="' not in f] == []
    src = re.search(r'<script src="([^"]+)" defer>', html).group(1)
    script = signed_in.get(src)
    assert script.status_code == 200 and script.mimetype in ("text/javascript", "application/javascript")
    assert b"requestSubmit" in script.get_data()
    assert page.headers["X-Frame-Options"] == "DENY"


def test_session_cookie_names_differ_from_ghes(app):
    """Both mocks on 127.0.0.1 (different ports) share cookies by host: their names must differ."""
    from mock_ghes import create_app as create_ghes

    ghes = create_ghes({"TESTING": True, "SCENARIO": "small"})
    try:
        assert app.config["SESSION_COOKIE_NAME"] != ghes.config["SESSION_COOKIE_NAME"]
        assert app.config["SESSION_COOKIE_NAME"].startswith("mock_ghec_session_")
    finally:
        ghes.extensions["mock"].db.close()
