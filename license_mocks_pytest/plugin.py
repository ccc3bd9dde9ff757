"""pytest plugin: live mock GHES and GHEC per test session, reset before every test.

Registered through the `pytest11` entry point, so it loads in every pytest run of this
environment: this module imports only pytest and the standard library, and creates apps
only when a test first asks for `ghes`, `ghec` or `license_sync_pair`. See docs/pytest-plugin.md.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .handles import LicenseSyncPair, MockApp
    from .scenario_spec import ScenarioSpec
    from .servers import RunningMock

MARKER = "mock_scenario"


def pytest_addoption(parser: pytest.Parser) -> None:
    """The session's default scenario, for every test without a `mock_scenario` marker."""
    group = parser.getgroup("license_mocks", "license-sync mocks (ghes/ghec fixtures)")
    group.addoption("--mock-seed", type=int, default=1, dest="mock_seed",
                    help="seed of the scenario the ghes/ghec fixtures serve (default: 1)")
    group.addoption("--mock-scenario", default="small", dest="mock_scenario",
                    help="scenario preset the ghes/ghec fixtures serve (default: small)")
    group.addoption("--mock-scenario-file", default=None, dest="mock_scenario_file", metavar="FILE",
                    help="a scenario file (YAML or JSON) the ghes/ghec fixtures serve instead of a preset "
                         "(--mock-seed, when given, replaces its seed)")


def pytest_configure(config: pytest.Config) -> None:
    """Declare the marker, so `--strict-markers` runs accept it; refuse an unknown --mock-scenario at once.

    WHY here: a wrong preset found when the first fixture starts errors every test with the same
    traceback; found now it is one usage error before anything runs.
    """
    config.addinivalue_line(
        "markers", f"{MARKER}(seed=None, preset=None, file=None, **params): run this test on another "
        "scenario or a scenario file (ghes/ghec/license_sync_pair); the session's default is restored afterwards")
    path = config.getoption("mock_scenario_file", None)
    if path:  # checked before any test: a file with mistakes stops the run, every problem listed
        _file_spec(Path(path), None)
    preset = config.getoption("mock_scenario", "small")
    if preset != "small":  # the default is known good; only a given name costs the import
        from scenarios import PRESETS
        if preset not in PRESETS:
            raise pytest.UsageError(f"--mock-scenario {preset!r} is not a scenario preset; "
                                    f"choose one of {', '.join(PRESETS)}")


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config,
                                  items: list[pytest.Item]) -> None:
    """Build every scenario a `mock_scenario` marker asks for once, now: a bad one is one usage error at
    start naming the test and the fix, not a failure of that test after the servers started."""
    marked = [(item, marker) for item in items if (marker := item.get_closest_marker(MARKER)) is not None]
    if not marked:
        return
    import scenarios
    seed, preset = config.getoption("mock_seed", 1), config.getoption("mock_scenario", "small")
    checked: set[str] = set()
    for item, marker in marked:
        if "file" in marker.kwargs:  # a scenario file: checked when the test loads it (every problem listed)
            continue
        if marker.args:
            raise pytest.UsageError(f"{item.nodeid}: @pytest.mark.{MARKER} takes keyword arguments only "
                                    "(seed=, preset=, params)")
        params = dict(marker.kwargs)
        wanted = (params.pop("seed", seed), params.pop("preset", preset), {**params.pop("params", {}), **params})
        key = repr(wanted)
        if key in checked:
            continue
        checked.add(key)
        try:
            scenarios.build(wanted[0], wanted[1], **wanted[2])
        except (ValueError, TypeError) as error:
            hint = (f"; every preset, {wanted[1]!r} too, plants edge cases (docs/scenarios.md): add "
                    "edge_cases=False or more people" if "edge cases need" in str(error) else "")
            raise pytest.UsageError(f"{item.nodeid}: @pytest.mark.{MARKER}(seed={wanted[0]!r}, "
                                    f"preset={wanted[1]!r}, {wanted[2]!r}) cannot be built: {error}{hint}") from None


@pytest.fixture(scope="session")
def license_mocks_default_scenario(pytestconfig: pytest.Config) -> ScenarioSpec:
    """The scenario from --mock-seed/--mock-scenario that the session's servers start with."""
    from .scenario_spec import ScenarioSpec

    path = pytestconfig.getoption("mock_scenario_file")
    if path:
        given = any(str(a).split("=")[0] == "--mock-seed" for a in pytestconfig.invocation_params.args)
        return _file_spec(Path(path), pytestconfig.getoption("mock_seed") if given else None)
    return ScenarioSpec.of(pytestconfig.getoption("mock_seed"), pytestconfig.getoption("mock_scenario"))


_FILE_SPECS: dict[tuple[str, int, int, int | None], ScenarioSpec] = {}  # (path, mtime, size, seed) -> spec


def _file_spec(path: Path, seed: int | None) -> ScenarioSpec:
    """The spec of a scenario file; its problems (every one) stop the run as a usage error.

    Read and checked once per file (and seed) while it is unchanged: `pytest_configure` checks
    `--mock-scenario-file` and the session's servers then start on the same spec (WHY: a
    10,000-person file takes about a second to check)."""
    from scenarios.file import ScenarioFileError
    from scenarios.file.use import read_world

    from .scenario_spec import ScenarioSpec

    try:
        try:
            stat = path.stat()
        except OSError:
            return ScenarioSpec.of_checked(*read_world(path, seed), seed)  # read_world names the problem
        key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size, seed)
        if key not in _FILE_SPECS:
            _FILE_SPECS.clear()  # one file at a time: a marker's file does not pile up documents
            _FILE_SPECS[key] = ScenarioSpec.of_checked(*read_world(path, seed), seed)
        return _FILE_SPECS[key]
    except ScenarioFileError as error:
        raise pytest.UsageError(f"{path}: {error}") from error


def _session_server(kind: str) -> Callable[..., Iterator[RunningMock]]:
    """A session-scoped fixture serving one `kind` of mock (each xdist worker gets its own)."""

    @pytest.fixture(scope="session", name=f"license_mocks_{kind}_server")
    def server(license_mocks_default_scenario: ScenarioSpec) -> Iterator[RunningMock]:
        """Start the mock once for the session and stop it at the end."""
        from .servers import start_mock

        running = start_mock(kind, license_mocks_default_scenario)
        yield running
        running.stop()

    return server


license_mocks_ghes_server = _session_server("ghes")
license_mocks_ghec_server = _session_server("ghec")


def _marked_spec(request: pytest.FixtureRequest, default: ScenarioSpec) -> ScenarioSpec | None:
    """The scenario a `mock_scenario` marker asks for (missing seed/preset: the session's), or None."""
    from .scenario_spec import ScenarioSpec

    marker = request.node.get_closest_marker(MARKER)
    if marker is None:
        return None
    if marker.args:
        raise pytest.UsageError(f"@pytest.mark.{MARKER} takes keyword arguments only (seed=, preset=, params)")
    params = dict(marker.kwargs)
    if "file" in params:
        path = Path(params.pop("file"))
        if not path.is_absolute():  # relative to the test's own folder, else to where pytest runs
            near = request.path.parent / path
            path = near if near.exists() else path
        return _file_spec(path, params.pop("seed", None))
    seed, preset = params.pop("seed", default.seed), params.pop("preset", default.preset)
    return ScenarioSpec.of(seed, preset, {**params.pop("params", {}), **params})


def _fresh_handle(request: pytest.FixtureRequest, running: RunningMock,
                  handle_type: type[MockApp]) -> Iterator[MockApp]:
    """Reset the session's server for this test (on the marker's scenario if any), then restore it.

    The running scenario is checked, not assumed, unless the reset says nothing was written since
    the last one (docs/control-plane.md, Reset), which left `running.current`: a test that switched
    it behind the handle's back (a raw `PUT /_mock/scenario`) and then failed must not leak it into
    the next test. So a test that only reads costs one control call per app.
    """
    wanted = _marked_spec(request, running.default) or running.default
    handle = handle_type(running.app, running.url, wanted, adapter=running.adapter)
    try:
        how, described = handle.reset_answer()
        if how != "unchanged" or running.current != wanted:
            running.current = None
            if not wanted.matches(described if described is not None else handle.scenario_info()):
                handle.control("PUT", "scenario", json=wanted.as_json())
                handle.reset()
            running.current = wanted
        yield handle
    finally:
        try:
            if handle.spec != running.default:
                running.current = None
                handle.use(running.default)
        finally:
            handle.close()


@pytest.fixture
def ghes(request: pytest.FixtureRequest, license_mocks_ghes_server: RunningMock) -> Iterator[MockApp]:
    """The mock GHES over real HTTP, in its scenario's initial state (see docs/pytest-plugin.md)."""
    from .handles import MockGhes

    yield from _fresh_handle(request, license_mocks_ghes_server, MockGhes)


@pytest.fixture
def ghec(request: pytest.FixtureRequest, license_mocks_ghec_server: RunningMock) -> Iterator[MockApp]:
    """The mock GHEC over real HTTP, in its scenario's initial state (see docs/pytest-plugin.md)."""
    from .handles import MockGhec

    yield from _fresh_handle(request, license_mocks_ghec_server, MockGhec)


@pytest.fixture
def license_sync_pair(ghes: Any, ghec: Any) -> LicenseSyncPair:
    """GHES with GitHub Connect and license sync enabled towards GHEC's main enterprise."""
    from .handles import LicenseSyncPair

    pair = LicenseSyncPair(ghes, ghec)
    pair.prepare()
    return pair


@pytest.fixture(scope="session")
def export_corpus() -> Any:
    """The export format's published corpus, from the installed package (docs/pytest-plugin.md):
    `.golden` (valid files by name), `.github_shipped`, `.bad_inputs` (each with `.data`, `.status`,
    `.message`, `.paths`). An `export_format.testing.ExportCorpus`."""
    from export_format.testing import corpus

    return corpus()
