"""Reading a JSON request body the way the upload route does: bounded, flat enough, valid text.

Every route that takes JSON (the API's admin and Connect routes, `/_mock/`) reads its body
through `json_body`, so a hostile body is one clear 4xx in GitHub's error shape, never a
500 and never a value that cannot be stored or echoed:

* a body over its size limit is 413 (declared sizes over the app's limit are refused even
  earlier, before any byte is read: `declared_too_large`);
* not UTF-8, not JSON, NaN/Infinity, an integer of more than 4,300 digits: 400 "Problems
  parsing JSON", saying which in the user's terms;
* arrays/objects nested deeper than `MAX_DEPTH`: 400 (WHY: `json.loads` of 100,000
  brackets raises RecursionError, which Flask's `get_json(silent=True)` does not catch; the
  upload route's reader catches it the same way, export_format/_reading.py);
* a lone surrogate escape (`"\\ud800"`) or a control character (NUL, CR, LF, ...) in any
  string, key or value: 400 (WHY: a lone surrogate cannot be encoded as UTF-8 for SQLite
  or the response, and CR/LF in a value end up in headers, logs and file names).
  `allow_control=True` (snapshots, which hold PEM keys) still refuses NUL.
"""
from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

from flask import request

from .errors import GitHubError

#: Deepest nesting any JSON-taking route accepts (bodies here are at most three levels deep).
MAX_DEPTH = 32
#: Largest JSON body of the small routes (users, Connect, faults, scenario, clock): 1 MiB.
MAX_JSON_BYTES = 1 << 20
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
#: What in a JSON text can become a string `bad_text` refuses: in valid JSON a surrogate, NUL or
#: control character can only arrive escaped (json.loads refuses raw ones), DEL also raw. A false
#: alarm (`\\\\u0000` is a backslash, then text) only costs the walk.
_MAYBE_BAD = re.compile(r"\\u(?:[dD][89abcdefABCDEF]|00[01]|007[fF])|\\[bfnrt]|\x7f")
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_BRACKETS = re.compile(r"[\[\]{}]")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def problems_parsing(detail: str) -> GitHubError:
    """GitHub's 400 "Problems parsing JSON" (message exactly GitHub's), with what is wrong in the
    caller's terms as its one `errors` entry."""
    return GitHubError(400, "Problems parsing JSON", errors=[{"code": "invalid", "message": detail}])


def _reject_constant(name: str) -> Any:
    """NaN and Infinity are Python's extensions, not JSON."""
    raise ValueError(f"{name} is not a JSON number")


def bad_text(value: str, allow_control: bool = False) -> str | None:
    """Why a string cannot be taken (a lone surrogate, a control character), or None."""
    if _SURROGATE.search(value):
        return "a string contains a lone surrogate escape (\\ud800-\\udfff), which is not a character"
    if "\x00" in value:
        return "a string contains a NUL character"
    if not allow_control and _CONTROL.search(value):
        return "a string contains a control character (such as a line break)"
    return None


def check_document(data: Any, allow_control: bool = False) -> None:
    """Refuse (400) a parsed document nested deeper than MAX_DEPTH or with a string, key or
    value, that `bad_text` refuses. Iterative, so no document can make it recurse."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            problem = bad_text(item, allow_control)
            if problem:
                raise problems_parsing(problem)
        elif isinstance(item, dict | list):
            if depth >= MAX_DEPTH:
                raise problems_parsing(f"arrays/objects nest more than {MAX_DEPTH} levels deep")
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)


def parse_json(raw: bytes, *, max_bytes: int = MAX_JSON_BYTES, allow_control: bool = False) -> Any:
    """The JSON document in `raw`, or GitHub's 400/413 saying what is wrong with it."""
    if len(raw) > max_bytes:
        raise GitHubError(413, f"Request Entity Too Large: the body is over the {max_bytes:,}-byte limit")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise problems_parsing(f"the body is not UTF-8 text (byte offset {error.start})") from None
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        raise problems_parsing(f"{error.msg} at line {error.lineno} column {error.colno}") from None
    except ValueError as error:  # NaN/Infinity, or an integer literal of more than 4,300 digits
        detail = str(error) if "JSON number" in str(error) else "a number has more than 4,300 digits"
        raise problems_parsing(detail) from None
    except RecursionError:  # 100,000 brackets: the C parser gives up before MAX_DEPTH is checked
        raise problems_parsing(f"arrays/objects nest more than {MAX_DEPTH} levels deep") from None
    if _MAYBE_BAD.search(text) is not None or _deepest(text) >= MAX_DEPTH:
        check_document(data, allow_control)  # finds and names the problem (a false alarm passes)
    return data


def _deepest(text: str) -> int:
    """How deep a valid JSON text's arrays/objects nest, read off its brackets outside strings.
    WHY not only `check_document`: walking every value of a large body (a 100,000-person scenario
    file) cost seconds; this is a few passes of the regex engine over the text."""
    levels = accumulate(map(_STEP.__getitem__, _BRACKETS.findall(_STRING.sub("", text))))
    return max(levels, default=0)


def json_body(required: bool = True, *, max_bytes: int = MAX_JSON_BYTES, allow_control: bool = False) -> Any:
    """The request's JSON body through `parse_json`. An absent body is {} (or, when `required`,
    GitHub's 400 "Body should be a JSON object"); `null` where the body is optional is {}."""
    length = request.content_length
    if length is not None and length > max_bytes:
        raise GitHubError(413, f"Request Entity Too Large: the body is over the {max_bytes:,}-byte limit")
    raw = request.get_data(cache=True)
    if not raw.strip():
        if required:
            raise GitHubError(400, "Body should be a JSON object")
        return {}
    data = parse_json(raw, max_bytes=max_bytes, allow_control=allow_control)
    if data is None and not required:
        return {}
    return data
