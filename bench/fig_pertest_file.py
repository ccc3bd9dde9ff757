"""Figures: the pytest plugin on a 10,000-person scenario file (issue #21: reset ≤ 5 ms, session start ≤ 2 s).

Measured like bench/fig_pertest.py's rows, in the same kind of temporary project (its conftest and
`_pytest`), with `--mock-scenario-file` naming a file written here: the generated `demo` world
with PEOPLE people, dumped in the scenario-file format (every person and account listed):
- `reset()` of each app after nothing was written: the median of RESETS resets inside one test;
- `reset()` of each app after one write: each round makes one call that changes the domain state
  (GHES: a user signs in, `POST /_mock/users/{login}/sign-in`; GHEC: a GitHub Connect server is
  registered, `PUT /enterprises/{slug}/connect/servers/{id}`), then the reset alone is timed;
- session start: from the project's conftest being imported (so the file's check at
  `pytest_configure` counts) to the first test's body, both servers answering, minus the same for a
  test that asks for no fixture and names no file (fresh processes, median of ROUNDS).
"""
from __future__ import annotations

import json
import statistics
import tempfile
from pathlib import Path

from .fig_pertest import CONFTEST, TESTS, _pytest, _read
from .report import Figure

PEOPLE = 10_000
RESETS = 30
ROUNDS = 3
TESTS_FILE = '''
import json, os, time, uuid


def _median(runs):
    return sorted(runs)[len(runs) // 2]


def _timed(app, write):
    runs = []
    for _ in range(RESETS):
        write()
        started = time.perf_counter()
        how = app.reset()
        runs.append(time.perf_counter() - started)
        assert how == ("unchanged" if write is _nothing else "copied"), how
    return _median(runs)


def _nothing():
    pass


RESETS = int(os.environ.get("PERTEST_RESETS", "30"))


def test_file_resets(ghes, ghec):
    login = ghes.instance.users[3].login
    connect = ghec.auth_headers("connect")

    def ghes_write():
        ghes.control("POST", f"users/{login}/sign-in")

    def ghec_write():
        server = str(uuid.uuid4())
        answer = ghec.session.put(f"/enterprises/{ghec.enterprise}/connect/servers/{server}",
                                  json={"host_name": "ghes.example.test", "version": "3.15.2"}, headers=connect)
        assert answer.status_code in (200, 201), answer.text

    timings = {}
    for name, app, write in (("ghes", ghes, ghes_write), ("ghec", ghec, ghec_write)):
        app.reset()
        timings[name + "_unchanged"] = _timed(app, _nothing)
        timings[name + "_written"] = _timed(app, write)
    with open(os.environ["PERTEST_OUT"], "w") as handle:
        json.dump(timings, handle)
'''


def write_world(path: Path, people: int = PEOPLE) -> Path:
    """The generated `demo` world with `people` people, as a scenario file (JSON) at `path`."""
    import scenarios
    from scenarios.file.dump import dump_document

    path.write_text(json.dumps(dump_document(scenarios.build(1, "demo", people=people), f"demo-{people}")))
    return path


def run() -> list[Figure]:
    """Write the project and the file, measure, and judge each figure against the issue's targets."""
    project = Path(tempfile.mkdtemp(prefix="license-mocks-pertest-file-"))
    (project / "conftest.py").write_text(CONFTEST)
    (project / "test_cost.py").write_text(TESTS)
    (project / "test_file.py").write_text(TESTS_FILE)
    world = write_world(project / "world.json")
    out = project / "out.json"
    option = ("--mock-scenario-file", str(world))
    _pytest(project, ["test_file.py::test_file_resets"], 1, *option, out=out,
            extra_env={"PERTEST_RESETS": str(RESETS)})
    resets = _read(out)
    starts, bare = [], []
    for _ in range(ROUNDS):
        _pytest(project, ["test_cost.py::test_ours"], 1, *option, out=out)
        starts.append(_read(out)["from_conftest"])
        _pytest(project, ["test_cost.py::test_nothing"], 1, out=out)
        bare.append(_read(out)["from_conftest"])
    start = statistics.median(starts) - statistics.median(bare)
    ms = 1000.0
    unchanged = max(resets["ghes_unchanged"], resets["ghec_unchanged"]) * ms
    written = max(resets["ghes_written"], resets["ghec_written"]) * ms
    return [
        Figure(f"`reset()` of one app, {PEOPLE:,}-person scenario file, nothing written", "≤ 5 ms",
               unchanged, "ms", unchanged <= 5,
               f"median of {RESETS}: GHES {resets['ghes_unchanged'] * ms:.2f} ms, "
               f"GHEC {resets['ghec_unchanged'] * ms:.2f} ms"),
        Figure(f"`reset()` of one app, {PEOPLE:,}-person scenario file, after one write", "≤ 5 ms",
               written, "ms", written <= 5,
               f"median of {RESETS}, each after one call that writes (GHES: a sign-in; GHEC: a Connect "
               f"server registered): GHES {resets['ghes_written'] * ms:.2f} ms, "
               f"GHEC {resets['ghec_written'] * ms:.2f} ms"),
        Figure(f"plugin session start, {PEOPLE:,}-person scenario file (both servers answering)", "≤ 2 s",
               start, "s", start <= 2,
               f"conftest import (before the file's check) to the first test body, minus the same for a "
               f"test with no fixture and no file (median of {ROUNDS})"),
    ]
