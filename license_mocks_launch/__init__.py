"""Launchers of the mock pair: `license-sync demo` and `make serve`, the one package that imports both apps.

WHY a package of its own: the sync client must not depend on the servers it talks to (it is
the thing under test, and a real user's copy has no mocks), and neither app may import the
other. Starting both mocks together, in the right order and from one seed, needs both; that
wiring lives here, and only here (tests/unit/test_import_graph.py holds every package to it).

- `servers.start_pair`: GHEC, then the GHES instances (the demo, `make serve`, the e2e tests).
- `demo.run_demo`: the narrated story; `license-sync demo` reaches it through the
  `license_sync.commands` entry point, so sync_client never imports this package.
- `serve_pair.main`: `make serve` (`python -m license_mocks_launch.serve_pair`).
"""
