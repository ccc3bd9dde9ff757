"""`make serve` as a real process: every Connect instance listed at start, and SIGTERM leaves no temp folder."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]


def test_sigterm_cleans_up_and_instance_2_is_registered_at_start(tmp_path, read_until):
    """Instance 2 (Connect) is listed by GHEC before any sync; SIGTERM stops cleanly, removing every folder."""
    env = {**os.environ, "TMPDIR": str(tmp_path), "COLUMNS": "200"}
    process = subprocess.Popen(
        [sys.executable, "-m", "license_mocks_launch.serve_pair", "--seed", "7", "--scenario", "small",
         "--ghes-port", "0", "--ghes2-port", "0", "--ghec-port", "0"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        banner = read_until(process, "Control plane", 60)
        assert len(list(tmp_path.glob("license-mock-*"))) == 3  # one state folder per server
        exports = dict(re.findall(r"export (\w+)=(\S+)", banner))
        status = requests.get(f"{exports['GHEC_URL']}/enterprises/{exports['GHEC_ENTERPRISE']}/license-sync-status",
                              headers={"Authorization": f"token {exports['GHEC_TOKEN']}"}, timeout=10).json()
        assert len(status["server_instances"]) == 1  # instance 2, registered through Connect at start
        assert status["server_instances"][0]["last_sync"]["status"] == "never_synced"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
    assert list(tmp_path.glob("license-mock-*")) == []
