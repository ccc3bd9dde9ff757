"""The pages through Flask's test client: sign-in, who may see what, CSRF, escaping, the License page."""
from __future__ import annotations

import re

from ghes_helpers import csrf_of, sign_in
from ghes_routing import Step, StubAdapter, routed_session

LICENSE = "/enterprise/settings/license"
XSS = "<script>alert(1)</script>"


def _number(html: str, element_id: str) -> str:
    """The text of the element with this id."""
    match = re.search(rf'id="{element_id}">([^<]*)<', html)
    assert match, element_id
    return match.group(1)


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for path in (LICENSE, "/enterprise/users", "/"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 302
    assert client.get(LICENSE).location == f"/login?next={LICENSE}"
    page = client.get("/login")
    assert page.status_code == 200 and 'for="token"' in page.text and ">Sign in</button>" in page.text


def test_sign_in_with_a_bad_token_is_refused(client):
    form = client.get("/login")
    response = client.post("/login", data={"csrf_token": csrf_of(form.text), "token": "ghp_wrong"})
    assert response.status_code == 401 and "Incorrect token." in response.text
    assert client.get(LICENSE).status_code == 302


def test_a_normal_user_gets_a_403_page(client, tokens):
    assert sign_in(client, tokens["member"]).status_code == 302
    response = client.get(LICENSE)
    assert response.status_code == 403 and "not a site administrator" in response.text
    assert client.get("/enterprise/settings/license/export").status_code == 403


def test_the_admin_sees_the_license_page(client, tokens, admin):
    response = sign_in(client, tokens["admin"])
    assert response.location == LICENSE
    page = client.get(LICENSE).text
    api = client.get("/api/v3/enterprise/settings/license", headers=admin).json
    assert _number(page, "seats-total") == str(api["seats"])
    assert _number(page, "seats-used") == str(api["seats_used"])
    assert _number(page, "seats-available") == str(api["seats_available"])
    for text in ("Quick links", "Export license usage", "License sync", "Sync now</button>",
                 'for="ghec_url"', 'for="enterprise"', 'for="connect-token"', "Never synced.",
                 "GitHub Enterprise Server"):
        assert text in page, text


def test_sign_in_goes_back_to_where_it_was_asked_but_never_off_site(client, tokens):
    form = client.get("/login?next=/enterprise/users")
    response = client.post("/login", data={"csrf_token": csrf_of(form.text), "token": tokens["admin"],
                                           "next": "/enterprise/users"})
    assert response.location == "/enterprise/users"
    client.post("/logout", data={"csrf_token": csrf_of(client.get(LICENSE).text)})
    form = client.get("/login")
    response = client.post("/login", data={"csrf_token": csrf_of(form.text), "token": tokens["admin"],
                                           "next": "//evil.example/"})
    assert response.location == LICENSE


def test_sign_out(client, tokens):
    sign_in(client, tokens["admin"])
    response = client.post("/logout", data={"csrf_token": csrf_of(client.get(LICENSE).text)})
    assert response.status_code == 302
    assert client.get(LICENSE).status_code == 302


def test_forms_without_the_csrf_token_are_refused(client, tokens):
    assert client.post("/login", data={"token": tokens["admin"]}).status_code == 400
    sign_in(client, tokens["admin"])
    for path in ("/enterprise/settings/license/connect", "/enterprise/settings/license/sync", "/logout"):
        assert client.post(path, data={}).status_code == 400, path
        assert client.post(path, data={"csrf_token": "forged"}).status_code == 400, path
    assert client.get(LICENSE).status_code == 200  # still signed in: nothing happened


def test_users_list_search_and_suspended_marker(client, tokens, runtime, admin):
    sign_in(client, tokens["admin"])
    users = runtime.store.all_users()
    everyone = client.get("/enterprise/users").text
    assert f'<span class="Counter">{len(users)}</span>' in everyone
    suspended = next(u for u in users if u["suspended"])
    found = client.get("/enterprise/users", query_string={"q": suspended["login"]}).text
    assert suspended["login"] in found and "Suspended" in found
    someone = next(u for u in users if u["kind"] == "user" and not u["suspended"] and len(u["emails"]) > 1)
    secondary = next(e["address"] for e in someone["emails"] if not e["primary"])
    by_email = client.get("/enterprise/users", query_string={"q": secondary.upper()}).text
    assert someone["login"] in by_email
    by_name = client.get("/enterprise/users", query_string={"q": someone["name"]}).text
    assert someone["login"] in by_name
    assert "No users match “zz-nobody-zz”." in client.get("/enterprise/users", query_string={"q": "zz-nobody-zz"}).text


def test_users_list_pages(client, tokens):
    sign_in(client, tokens["admin"])
    first = client.get("/enterprise/users").text
    assert "page 1 of" in first and ">Next</a>" in first
    second = client.get("/enterprise/users?page=2").text
    assert ">Previous</a>" in second


def test_markup_from_users_is_escaped(client, tokens, runtime, admin):
    created = client.post("/api/v3/admin/users", headers=admin, json={"login": XSS, "email": "x@example.com"})
    assert created.status_code == 201 and created.json["login"] == "script-alert-1-script"
    victim = next(u for u in runtime.store.all_users() if u["kind"] == "user" and not u["site_admin"])
    runtime.db.execute("UPDATE ghes_users SET name = ? WHERE id = ?", (XSS, victim["id"]))  # e.g. from LDAP
    sign_in(client, tokens["admin"])
    for page in (client.get("/enterprise/users").text,
                 client.get("/enterprise/users", query_string={"q": XSS}).text,
                 client.get("/enterprise/users", query_string={"q": victim["login"]}).text):
        assert XSS not in page
    listing = client.get("/enterprise/users", query_string={"q": victim["login"]}).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in listing


def test_connect_form_and_sync_now_button(app, client, tokens, admin):
    stub = StubAdapter()
    app.extensions["connect_session"] = routed_session(stub, "http://ghec.test")
    sign_in(client, tokens["admin"])
    page = client.get(LICENSE).text
    saved = client.post("/enterprise/settings/license/connect", data={
        "csrf_token": csrf_of(page), "ghec_url": "http://ghec.test", "enterprise": "acme",
        "token": "ghp_connect", "license_sync": "on"}, follow_redirects=True)
    assert "GitHub Connect settings saved." in saved.text and "Enabled" in saved.text
    assert 'placeholder="Saved; leave blank to keep it"' in saved.text
    synced = client.post("/enterprise/settings/license/sync", data={"csrf_token": csrf_of(saved.text)},
                         follow_redirects=True)
    assert "License usage synced" in synced.text and "Success" in synced.text
    stub.steps = [Step(status=503, body=b'{"message": "Unavailable"}')]
    failed = client.post("/enterprise/settings/license/sync", data={"csrf_token": csrf_of(synced.text)},
                         follow_redirects=True)
    assert "License sync failed" in failed.text and "Failure" in failed.text and "Unavailable" in failed.text
    # Saving with an empty token field keeps the saved token.
    client.post("/enterprise/settings/license/connect", data={
        "csrf_token": csrf_of(failed.text), "ghec_url": "http://ghec.test", "enterprise": "acme",
        "token": "", "license_sync": "on"})
    assert app.extensions["ghes"].runtime.connect.config().token == "ghp_connect"


def test_enabling_sync_without_settings_is_explained(client, tokens):
    sign_in(client, tokens["admin"])
    response = client.post("/enterprise/settings/license/connect", data={
        "csrf_token": csrf_of(client.get(LICENSE).text), "license_sync": "on"}, follow_redirects=True)
    assert "License sync needs GitHub Connect configured" in response.text


def _forms_and_scripts(html: str) -> tuple[list[str], list[str]]:
    """The page's POST forms that lack a CSRF field, and its inline (src-less) script tags."""
    forms = re.findall(r"<form\b[^>]*>.*?</form>", html, flags=re.S)
    unprotected = [f[:80] for f in forms if 'method="post"' in f and 'name="csrf_token" value="' not in f]
    return unprotected, re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html)


def test_pages_forbid_inline_script_and_every_post_form_carries_the_csrf_token(client, tokens, admin):
    login = client.get("/login")
    sign_in(client, tokens["admin"])
    for response in (login, client.get(LICENSE), client.get("/enterprise/users")):
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        unprotected, inline = _forms_and_scripts(response.text)
        assert unprotected == [] and inline == []
        assert 'style="' not in response.text  # the CSP forbids inline styles too
    api = client.get("/api/v3/enterprise/settings/license", headers=admin)
    assert "Content-Security-Policy" not in api.headers  # the API keeps GitHub's own headers
    css = client.get("/static/github/primer-lite.css")
    assert css.status_code == 200 and css.mimetype == "text/css"


def test_the_session_cookie_is_this_apps_own(app, client, tokens):
    """Cookies ignore ports: GHES and GHEC side by side on 127.0.0.1 must not overwrite each other's."""
    sign_in(client, tokens["admin"])
    name = app.config["SESSION_COOKIE_NAME"]
    assert name.startswith("mock_ghes_session_") and client.get_cookie(name) is not None
