"""Settings: defaults < environment < config, typed by the defaults, with errors that name the variable."""
from __future__ import annotations

import importlib

import pytest

from github_http.settings import load_settings

DEFAULTS = {"SEED": 1, "RATIO": 0.5, "ON": True, "NAME": "demo", "EXTRA": None}


def test_defaults_environment_and_config_in_that_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """The environment overrides a default; explicit config overrides both."""
    monkeypatch.setenv("T_SEED", "7")
    monkeypatch.setenv("T_NAME", "edge-cases")
    settings = load_settings(DEFAULTS, "T_", {"NAME": "large"})
    assert settings == {"SEED": 7, "RATIO": 0.5, "ON": True, "NAME": "large", "EXTRA": None}


@pytest.mark.parametrize("raw, value", [("1", True), ("TRUE", True), ("yes", True), ("on", True),
                                        ("0", False), ("False", False), ("no", False), ("off", False),
                                        ("", False)])
def test_booleans(monkeypatch: pytest.MonkeyPatch, raw: str, value: bool) -> None:
    """Booleans take the usual spellings, any case."""
    monkeypatch.setenv("T_ON", raw)
    assert load_settings(DEFAULTS, "T_")["ON"] is value


def test_numbers_are_typed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Ints and floats arrive as numbers, not strings; None-default settings stay text."""
    monkeypatch.setenv("T_SEED", "-3")
    monkeypatch.setenv("T_RATIO", "2.5e-1")
    monkeypatch.setenv("T_EXTRA", "anything")
    settings = load_settings(DEFAULTS, "T_")
    assert (settings["SEED"], settings["RATIO"], settings["EXTRA"]) == (-3, 0.25, "anything")


@pytest.mark.parametrize("name, raw, message", [
    ("T_SEED", "seven", "T_SEED must be a whole number, not 'seven'"),
    ("T_SEED", "1.5", "T_SEED must be a whole number"),
    ("T_RATIO", "half", "T_RATIO must be a number, not 'half'"),
    ("T_ON", "maybe", "T_ON must be true or false, not 'maybe'"),
])
def test_bad_environment_values_fail_at_start_naming_the_variable(
        monkeypatch: pytest.MonkeyPatch, name: str, raw: str, message: str) -> None:
    """A typo in the environment is reported at start with the variable's full name."""
    monkeypatch.setenv(name, raw)
    with pytest.raises(ValueError, match=message):
        load_settings(DEFAULTS, "T_")


def test_unknown_config_keys_are_refused_but_flask_ones_pass() -> None:
    """A misspelt setting fails loudly with the known names; TESTING/SECRET_KEY/SERVER_NAME are Flask's."""
    with pytest.raises(ValueError, match=r"unknown setting\(s\): SEDE; known: EXTRA, NAME, ON, RATIO, SEED"):
        load_settings(DEFAULTS, "T_", {"SEDE": 2})
    assert load_settings(DEFAULTS, "T_", {"TESTING": True})["TESTING"] is True


def test_other_prefixes_are_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only this app's prefix counts: GHEC's variables do not leak into GHES."""
    monkeypatch.setenv("OTHER_SEED", "9")
    assert load_settings(DEFAULTS, "T_")["SEED"] == 1


@pytest.mark.parametrize("app", ["mock_ghes", "mock_ghec"])
@pytest.mark.parametrize("raw, message", [
    ("{bad", r"SCENARIO_PARAMS is not JSON \(Expecting property name"),
    ("[1, 2]", "SCENARIO_PARAMS must be a JSON object of scenario overrides"),
])
def test_both_apps_read_scenario_params_alike(monkeypatch: pytest.MonkeyPatch, app: str, raw: str,
                                              message: str) -> None:
    """The one scenario-settings step both apps share names the variable of a bad JSON text."""
    settings = importlib.import_module(f"{app}.settings")
    monkeypatch.setenv(f"{settings.ENV_PREFIX}SCENARIO_PARAMS", raw)
    with pytest.raises(ValueError, match=message):
        settings.load()
    monkeypatch.setenv(f"{settings.ENV_PREFIX}SCENARIO_PARAMS", '{"people": 7}')
    assert settings.load()["SCENARIO_PARAMS"] == {"people": 7}


def test_a_bad_config_value_is_named_as_the_config_key() -> None:
    """A Python caller's bad SCENARIO_PARAMS is named by its config key, not an environment variable."""
    from mock_ghec import settings

    with pytest.raises(ValueError, match=r"^SCENARIO_PARAMS is not JSON"):
        settings.load({"SCENARIO_PARAMS": "{bad"})
