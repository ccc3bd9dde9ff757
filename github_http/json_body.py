"""A request's JSON body, refused the way GitHub refuses it (one helper for every route that reads one)."""
from __future__ import annotations

import json
from typing import Any

from flask import request

from .errors import GitHubError, problems_parsing_json


def json_body(required: bool = True) -> Any:
    """The request's JSON: unparsable is 400 "Problems parsing JSON"; absent (or `null` where the
    body is optional) is {}, or a 400 when a body is required."""
    raw = request.get_data()
    if not raw.strip():
        if required:
            raise GitHubError(400, "Body should be a JSON object")
        return {}
    try:
        data = json.loads(raw)
    except ValueError as error:  # also UnicodeDecodeError
        raise problems_parsing_json() from error
    if data is None and not required:
        return {}
    return data
