"""The Manage API's license routes, and our wire schemas against GitHub's description."""
from __future__ import annotations

import io
import json

import pytest
from ghes_spec_check import checked, reference_document

from mock_ghes.openapi import ghes_openapi


def test_license_info(client, manage, runtime):
    body = checked(client, "GET", "/manage/v1/config/license", headers=manage).json
    instance = runtime.store.instance()
    assert body["seats"] == instance["seats"] and body["unlimitedSeating"] is False
    assert body["expireAt"] == instance["expire_at"] and body["referenceNumber"] == instance["reference_number"]
    assert body["company"] == instance["company"] and body["croquetSupport"] is True


def test_license_check_follows_the_app_clock(client, manage, runtime):
    assert checked(client, "GET", "/manage/v1/config/license/check", headers=manage).json == {"status": "valid"}
    client.put("/_mock/clock", json={"now": runtime.store.instance()["expire_at"], "freeze": True})
    assert checked(client, "GET", "/manage/v1/config/license/check", headers=manage).json == {"status": "expired"}


def test_upload_a_license(client, manage, admin):
    license_file = json.dumps({"seats": "unlimited", "kind": "evaluation", "expire_at": "2030-01-01T00:00:00Z"})
    response = checked(client, "PUT", "/manage/v1/config/license", headers=manage,
                       data={"license": (io.BytesIO(license_file.encode()), "enterprise.ghl")})
    assert response.status_code == 202
    info = checked(client, "GET", "/manage/v1/config/license", headers=manage).json
    assert info["unlimitedSeating"] is True and info["seats"] == 0 and info["evaluation"] is True
    api = client.get("/api/v3/enterprise/settings/license", headers=admin).json
    assert api["seats"] == "unlimited" and api["kind"] == "evaluation"
    assert api["expire_at"] == "2030/01/01 00:00:00 +0000"


@pytest.mark.parametrize("content, status", [
    (b"not json", 400),
    (b'{"seats": -1, "expire_at": "2030-01-01T00:00:00Z"}', 422),
    (b'{"seats": 10, "expire_at": "someday"}', 422),
    (b'{"seats": 10}', 422),
])
def test_upload_refuses_a_bad_license(client, manage, content, status):
    response = client.put("/manage/v1/config/license", headers=manage,
                          data={"license": (io.BytesIO(content), "enterprise.ghl")})
    assert response.status_code == status


@pytest.mark.parametrize("name", ["license-info", "enterprise-user-overview", "simple-user",
                                  "ghes-license-info", "ghes-license-check"])
def test_our_schemas_are_githubs(name):
    ours = ghes_openapi()["components"]["schemas"][name]
    theirs = reference_document()["components"]["schemas"][name]
    assert set(ours["properties"]) <= set(theirs["properties"])
    assert set(ours.get("required", [])) >= set(theirs.get("required", []))
    assert set(theirs.get("required", [])) <= set(ours["properties"])
    for prop, spec in ours["properties"].items():
        want = theirs["properties"][prop]
        if "oneOf" in want:
            assert spec.get("oneOf") == want["oneOf"], prop
        else:
            assert spec.get("type") == want.get("type"), prop
