"""The README's shell blocks, run as written (against servers on free ports, each step bounded in time).

"The two commands": `make demo` runs (`make test` is this very suite, so it is the one line not
run here). "Use it by hand": each way the first block starts servers is run (fixed ports become
free ones: `--port 0`, and `make serve` gets SERVE_ARGS), then the second block runs in bash with
`set -e` in a fresh folder, with the `…` of its `export` line replaced by what the servers printed,
as the README tells a reader to do. `make` is told its install stamp is up to date (`-o`), so a
test never reinstalls the project.
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STAMP = ".venv/.installed"
FREE_PORTS = 'SERVE_ARGS="--ghes-port 0 --ghes2-port 0 --ghec-port 0"'
ENV_NAMES = ("GHES_URL", "GHES_TOKEN", "GHEC_URL", "GHEC_TOKEN", "GHEC_ENTERPRISE", "MOCK_CONTROL_KEY", "VIRTUAL_ENV")


def sh_blocks(section: str) -> list[list[str]]:
    """The ```sh blocks of a README section, as lists of non-empty lines."""
    text = (ROOT / "README.md").read_text()
    start = text.index(f"\n## {section}\n")
    end = text.find("\n## ", start + 1)
    body = text[start:end if end > 0 else len(text)]
    return [[line for line in block.splitlines() if line.strip()]
            for block in re.findall(r"```sh\n(.*?)```", body, flags=re.S)]


def _env(tmp_path: Path) -> dict[str, str]:
    """The caller's environment minus anything that would point license-sync elsewhere."""
    env = {k: v for k, v in os.environ.items() if k not in ENV_NAMES}
    env.update(TMPDIR=str(tmp_path), COLUMNS="200", PATH="/usr/local/bin:/usr/bin:/bin")
    return env


def _start(command: str, marker: str, env: dict[str, str], read_until) -> tuple[subprocess.Popen, str]:
    """Start a README server line in its own process group; return it and its banner up to `marker`."""
    process = subprocess.Popen(command, shell=True, cwd=ROOT, env=env, start_new_session=True,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        return process, read_until(process, marker, 90)
    except BaseException:
        _stop(process)
        raise


def _stop(process: subprocess.Popen) -> None:
    """SIGTERM the whole group (make and its python), as a person's Ctrl-C or kill would."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _values_from_make_serve(banner: str) -> dict[str, str]:
    """`make serve` prints the export lines ready to paste."""
    return dict(re.findall(r"export (\w+)=(\S+)", banner))


def _find(pattern: str, text: str) -> str:
    """The first group of `pattern` in a banner (the test fails naming it when absent)."""
    match = re.search(pattern, text)
    assert match, f"{pattern!r} not in:\n{text}"
    return match.group(1)


def _values_from_two_servers(ghes: str, ghec: str) -> dict[str, str]:
    """What a reader copies from the two banners: URLs, the site admin's and the owner's tokens, the slug."""
    ghes_url = _find(r"REST API\s+(\S+)/api/v3", ghes)
    ghes_token = _find(r"site admin\s+\S+: (\S+)", ghes)
    ghec_url = _find(r"Mock GitHub Enterprise Cloud on (\S+)", ghec)
    slug = _find(r"/enterprises/([^/]+)/settings/license", ghec)
    owner = _find(r"Enterprise owner\s+\S+\s+token (\S+)", ghec)
    return {"GHES_URL": ghes_url, "GHES_TOKEN": ghes_token, "GHEC_URL": ghec_url, "GHEC_TOKEN": owner,
            "GHEC_ENTERPRISE": slug}


def _run_by_hand_block(block: list[str], values: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    """The second block in bash, `set -e`, in a fresh folder that has this checkout's .venv."""
    work = tmp_path / "by-hand"
    work.mkdir()
    (work / ".venv").symlink_to(ROOT / ".venv")
    lines = []
    for line in block:
        if line.startswith("export ") and "…" in line:
            names = re.findall(r"(\w+)=\S+", line.split("#")[0])
            assert set(names) == set(values), (names, values)
            line = "export " + " ".join(f"{name}={values[name]}" for name in names)
        lines.append(line)
    script = "set -e\n" + "\n".join(lines) + "\n"
    return subprocess.run(["bash", "-c", script], cwd=work, env=_env(tmp_path), capture_output=True, text=True,
                          timeout=300)


def test_the_readme_blocks_are_the_ones_this_test_runs():
    """If the README's blocks change shape, this test must be changed with them."""
    [two] = sh_blocks("The two commands")
    assert [line.split("#")[0].strip() for line in two] == ["make demo", "make test"]
    servers, by_hand = sh_blocks("Use it by hand")
    assert [line.split()[0] for line in servers] == ["make", ".venv/bin/mock-ghes", ".venv/bin/mock-ghec"]
    assert by_hand[0].startswith(". .venv/bin/activate") and any("license-sync" in line for line in by_hand)


def test_make_demo_as_written(tmp_path):
    """`make demo` ends by itself with exit 0 (the proof holds)."""
    [two] = sh_blocks("The two commands")
    command = two[0].split("#")[0].strip().replace("make ", f"make -o {STAMP} ", 1)
    done = subprocess.run(command, shell=True, cwd=ROOT, env=_env(tmp_path), capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "VERDICT: PROVEN" in done.stdout


def test_use_it_by_hand_with_make_serve(tmp_path, read_until):
    """`make serve`, then the by-hand block with the values it printed: every command exits 0."""
    servers, by_hand = sh_blocks("Use it by hand")
    command = servers[0].split("#")[0].strip().replace("make ", f"make -o {STAMP} ", 1) + " " + FREE_PORTS
    process, banner = _start(command, "Control plane", _env(tmp_path), read_until)
    try:
        done = _run_by_hand_block(by_hand, _values_from_make_serve(banner), tmp_path)
    finally:
        _stop(process)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    assert "All checks pass." in done.stdout and "VERDICT: PROVEN" in done.stdout


def test_use_it_by_hand_with_each_server_started_yourself(tmp_path, read_until):
    """`.venv/bin/mock-ghes serve …` and `.venv/bin/mock-ghec serve …` on free ports, then the by-hand block."""
    servers, by_hand = sh_blocks("Use it by hand")
    started = []
    try:
        banners = []
        for index, marker in ((1, "state "), (2, "State ")):  # the block's mock-ghes and mock-ghec lines
            command = re.sub(r"--port \d+", "--port 0", servers[index].split("#")[0].strip())
            process, banner = _start(command, marker, _env(tmp_path), read_until)
            started.append(process)
            banners.append(banner)
        done = _run_by_hand_block(by_hand, _values_from_two_servers(*banners), tmp_path)
    finally:
        for process in started:
            _stop(process)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    assert "All checks pass." in done.stdout and "VERDICT: PROVEN" in done.stdout
