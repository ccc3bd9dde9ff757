"""Settings and start-up: the MOCK_GHES_ environment, kept state, derived secrets and tokens."""
from __future__ import annotations

import pytest
from ghes_helpers import make_app, token_auth

from mock_ghes.settings import DEFAULTS, load


def test_defaults_match_the_documented_ones():
    settings = load({})
    for key, value in {"SEED": 1, "SCENARIO": "demo", "INSTANCE": 1, "STATE_PATH": "", "ADMIN_TOKEN": "",
                       "GHEC_PUBLIC_KEY": "", "CONTROL_KEY": "", "COUNT_BOTS": True,
                       "COUNT_NEVER_SIGNED_IN": True, "JOURNAL": True, "JOURNAL_MAX_ENTRIES": 1000,
                       "HTTP_ONLY": True, "SCENARIO_PARAMS": {}}.items():
        assert settings[key] == value, key
    assert settings["SECRET_KEY"]  # derived, never empty


def test_environment_prefix(monkeypatch):
    monkeypatch.setenv("MOCK_GHES_COUNT_BOTS", "false")
    monkeypatch.setenv("MOCK_GHES_SEED", "7")
    monkeypatch.setenv("MOCK_GHES_SCENARIO_PARAMS", '{"people": 50}')
    settings = load({})
    assert settings["COUNT_BOTS"] is False and settings["SEED"] == 7 and settings["SCENARIO_PARAMS"] == {"people": 50}
    monkeypatch.setenv("MOCK_GHES_SEED", "seven")
    with pytest.raises(ValueError, match="MOCK_GHES_SEED"):
        load({})


def test_unknown_settings_are_refused():
    with pytest.raises(ValueError, match="unknown setting"):
        load({"SEEED": 2})
    assert "CONNECT_SESSION" in DEFAULTS


def test_secret_key_is_derived_from_the_seed_so_workers_agree():
    one, two, other = make_app(), make_app(), make_app(SEED=2)
    try:
        assert one.secret_key == two.secret_key != other.secret_key
        assert make_app(SECRET_KEY="fixed").secret_key == "fixed"
    finally:
        for app in (one, two, other):
            app.extensions["mock"].db.close()


def test_a_kept_state_is_served_as_it_is(tmp_path):
    state = tmp_path / "ghes.sqlite3"
    first = make_app(STATE_PATH=str(state))
    headers = token_auth(first.extensions["ghes"].runtime.tokens()["admin"])
    assert first.test_client().post("/api/v3/admin/users", headers=headers,
                                    json={"login": "kept", "email": "kept@example.com"}).status_code == 201
    server_id = first.extensions["ghes"].runtime.store.instance()["server_id"]
    first.extensions["mock"].db.close()
    assert state.exists()

    again = make_app(STATE_PATH=str(state), SEED=42)  # a different seed does not re-seed a kept state
    try:
        runtime = again.extensions["ghes"].runtime
        assert runtime.store.instance()["server_id"] == server_id and runtime.spec()["seed"] == 1
        assert again.test_client().get("/api/v3/users/kept", headers=headers).status_code == 200
    finally:
        again.extensions["mock"].db.close()


def test_admin_token_fixes_the_site_admins_token(tmp_path):
    app = make_app(ADMIN_TOKEN="ghp_my_admin_token")
    try:
        client = app.test_client()
        assert client.get("/api/v3/user", headers=token_auth("ghp_my_admin_token")).json["site_admin"] is True
        other = make_app()
        derived = other.extensions["ghes"].runtime.tokens()["admin"]
        other.extensions["mock"].db.close()
        assert client.get("/api/v3/user", headers=token_auth(derived)).status_code == 401
    finally:
        app.extensions["mock"].db.close()


def test_admin_token_given_later_applies_to_a_kept_state(tmp_path):
    state = str(tmp_path / "ghes.sqlite3")
    make_app(STATE_PATH=state).extensions["mock"].db.close()
    app = make_app(STATE_PATH=state, ADMIN_TOKEN="ghp_later")
    try:
        assert app.test_client().get("/api/v3/user", headers=token_auth("ghp_later")).status_code == 200
    finally:
        app.extensions["mock"].db.close()


def test_a_v1_state_file_is_brought_forward_and_gains_the_kind_tokens_at_reset(tmp_path):
    """Tables v1 had no `ghes_tokens`: a kept v1 state opens as v2 (the admin's classic token as it
    was), and its next reset issues the site admin's tokens of every kind."""
    state = str(tmp_path / "ghes.sqlite3")
    first = make_app(STATE_PATH=state)
    tokens = first.test_client().get("/_mock/scenario").get_json()["tokens"]
    db = first.extensions["mock"].db
    db.execute("DROP TABLE ghes_tokens")
    db.set_kv("ghes_schema_version", "1")
    db.close()
    app = make_app(STATE_PATH=state)
    try:
        client = app.test_client()
        assert app.extensions["mock"].db.get_kv("ghes_schema_version") == "2"
        assert client.get("/api/v3/user", headers=token_auth(tokens["admin"])).status_code == 200
        assert client.get("/api/v3/user", headers=token_auth(tokens["admin:oauth_app"])).status_code == 401
        assert client.post("/_mock/reset").status_code == 204
        assert client.get("/api/v3/user", headers=token_auth(tokens["admin:oauth_app"])).status_code == 200
    finally:
        app.extensions["mock"].db.close()


def test_tokens_are_stored_as_digests(runtime):
    tokens = runtime.tokens()
    stored = [row[0] for row in runtime.db.query("SELECT token_digest FROM ghes_users WHERE token_digest IS NOT NULL")]
    assert len(stored) == 2
    dump = repr([tuple(r) for r in runtime.db.query("SELECT * FROM ghes_users")])
    dump += repr([tuple(r) for r in runtime.db.query("SELECT * FROM ghes_tokens")])
    dump += repr([tuple(r) for r in runtime.db.query("SELECT * FROM ghes_instance")])
    assert tokens["admin"] not in dump and tokens["member"] not in dump and tokens["manage"] not in dump


def test_instance_must_exist():
    with pytest.raises(ValueError, match="instance 3"):
        make_app(INSTANCE=3)


def test_control_key_guards_the_control_plane():
    app = make_app(CONTROL_KEY="sesame")
    try:
        client = app.test_client()
        assert client.get("/_mock/users").status_code == 403
        assert client.get("/_mock/users", headers={"X-Mock-Control-Key": "sesame"}).status_code == 200
    finally:
        app.extensions["mock"].db.close()


def test_no_app_at_import_time():
    import mock_ghes
    import mock_ghes.app as module

    assert not any(type(v).__name__ == "Flask" for v in vars(module).values())
    assert callable(mock_ghes.create_app)
