"""Content types and conditional requests (DOMAIN §10): charset on JSON, nothing on 204/304, ETag and 304."""
from __future__ import annotations

from flask import Flask

JSON = "application/json; charset=utf-8"


def _reads(slug: str) -> list[str]:
    """GHEC's API reads."""
    return [f"/enterprises/{slug}/consumed-licenses", f"/enterprises/{slug}/license-sync-status",
            "/user", "/user/emails", "/meta", "/rate_limit"]


GHES_READS = ["/api/v3/enterprise/settings/license", "/api/v3/enterprise/stats/users", "/api/v3/user",
              "/api/v3/user/emails", "/api/v3/meta", "/api/v3/users/wanda-ford"]


def test_every_json_body_names_its_charset(ghec: Flask, ghes: Flask, slug: str, owner: dict[str, str],
                                           admin: dict[str, str]) -> None:
    """Reads, errors and the control plane alike say `application/json; charset=utf-8`."""
    cases = [(ghec, path, owner) for path in [*_reads(slug), "/nope"]] + [(ghec, "/_mock/clock", {})]
    cases += [(ghes, path, admin) for path in [*GHES_READS, "/api/v3/nope", "/api/v3/rate_limit"]]
    cases += [(ghes, "/api/v3/user", {}), (ghes, "/_mock/clock", {})]
    for app, path, headers in cases:
        response = app.test_client().get(path, headers=headers)
        assert response.headers["Content-Type"] == JSON, (path, response.status_code)


def test_a_204_has_no_body_type(ghes: Flask, admin: dict[str, str]) -> None:
    """GHES's suspend answers 204 with no body and no Content-Type (it used to say text/html)."""
    client = ghes.test_client()
    response = client.put("/api/v3/users/chase-berry/suspended", headers=admin)
    assert response.status_code == 204 and response.data == b""
    assert "Content-Type" not in response.headers
    assert "Content-Type" not in client.post("/_mock/reset").headers


def test_every_successful_read_has_an_etag_and_a_match_is_a_bodiless_304(
        ghec: Flask, ghes: Flask, slug: str, owner: dict[str, str], admin: dict[str, str]) -> None:
    """Same state, same tag; `If-None-Match` with it (weak or strong form, in a list, or `*`) is a 304."""
    cases = [(ghec, path, owner) for path in _reads(slug) if path != "/rate_limit"]
    cases += [(ghes, path, admin) for path in GHES_READS]
    for app, path, headers in cases:
        client = app.test_client()
        first = client.get(path, headers=headers)
        tag = first.headers["ETag"]
        assert first.status_code == 200 and tag.startswith('W/"'), path
        assert client.get(path, headers=headers).headers["ETag"] == tag, path
        assert client.head(path, headers=headers).headers["ETag"] == tag, path
        for sent in (tag, tag[2:], f'"other", {tag}', "*"):
            again = client.get(path, headers={**headers, "If-None-Match": sent})
            assert again.status_code == 304 and again.data == b"", (path, sent)
            assert again.headers["ETag"] == tag and "Content-Type" not in again.headers
        assert client.get(path, headers={**headers, "If-None-Match": '"other"'}).status_code == 200


def test_a_change_of_state_changes_the_etag(ghes: Flask, admin: dict[str, str]) -> None:
    """Suspending a user changes its body (suspended_at), so its tag; the old tag then gets the full answer."""
    client = ghes.test_client()
    path = "/api/v3/users/chase-berry"
    before = client.get(path, headers=admin).headers["ETag"]
    assert client.put("/api/v3/users/chase-berry/suspended", headers=admin).status_code == 204
    after = client.get(path, headers={**admin, "If-None-Match": before})
    assert after.status_code == 200 and after.headers["ETag"] != before


def test_reads_say_how_github_lets_them_be_cached(ghec: Flask, owner: dict[str, str]) -> None:
    """GitHub's Cache-Control (private for a token's answer, public without one) and Vary."""
    client = ghec.test_client()
    private = client.get("/user", headers=owner)
    public = client.get("/meta")
    assert private.headers["Cache-Control"] == "private, max-age=60, s-maxage=60"
    assert public.headers["Cache-Control"] == "public, max-age=60, s-maxage=60"
    assert "Authorization" in private.headers["Vary"]


def test_errors_and_writes_have_no_etag(ghec: Flask, ghes: Flask, admin: dict[str, str]) -> None:
    """Only a successful read is tagged."""
    assert "ETag" not in ghec.test_client().get("/user").headers  # 401
    assert "ETag" not in ghes.test_client().put("/api/v3/users/chase-berry/suspended", headers=admin).headers
