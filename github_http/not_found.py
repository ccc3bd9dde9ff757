"""404 as GitHub answers it: an unknown path, or a method the path does not support, is a 404.

GitHub never answers 405 (and sends no `Allow`): on the API both are its JSON
`{"message": "Not Found", ...}`; on pages the same 404 as an HTML page in the shared layout
(`github_not_found.html`), so a wrong link looks like the rest of the product. The `/_mock/`
control plane is ours, not GitHub's: there a wrong method keeps its 405 with `Allow`.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, render_template, request
from jinja2 import TemplateNotFound
from werkzeug.exceptions import HTTPException, NotFound

from .errors import GitHubError, error_response, not_found
from .wire import CONTROL_PREFIX


def register_not_found(app: Flask, wants_json: Callable[[], bool]) -> None:
    """Answer 404 and 405 as GitHub's 404: JSON where `wants_json()`, the HTML page elsewhere.

    Registered per status code, so Flask prefers these to the generic HTTPException handler
    of errors.py for both.
    """

    def _answer(error: HTTPException) -> Any:
        """One 404 for both causes; the control plane, our own, keeps its helpful 405 with `Allow`."""
        if error.code == 405 and request.path.startswith(CONTROL_PREFIX):
            response = error_response(GitHubError(405, "Method Not Allowed"))
            response.headers["Allow"] = ", ".join(getattr(error, "valid_methods", None) or ())
            return response
        if wants_json():
            return error_response(not_found())
        try:
            return render_template("github_not_found.html"), 404
        except TemplateNotFound:  # an app without the shared layout (install_web): Werkzeug's page
            return NotFound()

    app.register_error_handler(404, _answer)
    app.register_error_handler(405, _answer)
