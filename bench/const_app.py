"""The yardstick for the throughput figure: a Flask app whose one route answers a constant.

Served by the same gunicorn command line as the mock GHEC, it shows what Flask + gunicorn +
the loopback + the load generator cost on this machine when the route itself costs nothing;
the consumed-licenses route is judged against it (≥ 0.6×) as well as in absolute terms.
"""
from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/ok")
def ok() -> dict:
    """`{"ok": true}`, serialised by Flask as any JSON route is."""
    return {"ok": True}
