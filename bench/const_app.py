"""The yardsticks for the throughput figure: a Flask app whose routes answer constants.

Served by the same gunicorn command line as the mock GHEC, `/ok` shows what Flask + gunicorn +
the loopback + the load generator cost on this machine when the route itself costs nothing;
the consumed-licenses route is judged against it (≥ 0.6×) as well as in absolute terms.
`/page` answers, as a constant, the bytes of a real consumed-licenses page (the file named by
BENCH_PAGE_FILE, fetched from the mock in the same run): what moving a 100-row page costs
when building it costs nothing, i.e. the most any implementation of the route could reach here.
"""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, Response

app = Flask(__name__)
_PAGE = Path(os.environ["BENCH_PAGE_FILE"]).read_bytes() if os.environ.get("BENCH_PAGE_FILE") else b"{}"


@app.get("/ok")
def ok() -> dict:
    """`{"ok": true}`, serialised by Flask as any JSON route is."""
    return {"ok": True}


@app.get("/page")
def page() -> Response:
    """A real page's bytes, as a constant (see the module docstring)."""
    return Response(_PAGE, content_type="application/json; charset=utf-8")
