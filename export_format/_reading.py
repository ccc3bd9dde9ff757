"""From bytes to a parsed JSON value, reporting encoding and syntax problems precisely.

WHY separate from validation.py: the same reading rules (UTF-8, no BOM, no NUL, strict JSON,
line/column in every message) apply to the file and to the decrypted users plaintext.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from .gcpause import gc_paused

FAILED = object()  # sentinel: reading failed and the problem was reported

_UTF8_BOM = b"\xef\xbb\xbf"
_OTHER_BOMS = ((b"\x00\x00\xfe\xff", "UTF-32"), (b"\xff\xfe\x00\x00", "UTF-32"),
               (b"\xfe\xff", "UTF-16"), (b"\xff\xfe", "UTF-16"))


class _NotJsonConstant(ValueError):
    """Raised for NaN / Infinity, which Python's json accepts but JSON does not."""


def _reject_constant(name: str) -> Any:
    """parse_constant hook; WHY: a file with NaN would be rejected by every other parser."""
    raise _NotJsonConstant(name)


def line_column(raw: bytes, offset: int) -> tuple[int, int]:
    """1-based line and (byte) column of a byte offset, for messages an editor can follow."""
    line = raw.count(b"\n", 0, offset) + 1
    column = offset - (raw.rfind(b"\n", 0, offset) + 1) + 1
    return line, column


def read_json(raw: bytes, add: Callable[[str, str], None], *, path: str = "$",
              what: str = "the file") -> Any:
    """Decode and parse `raw`; on failure report via `add(path, message)` and return FAILED.

    A UTF-8 BOM is reported but skipped, so the rest of the file is still checked; every
    other failure stops here because nothing after it can be trusted.
    """
    if not raw or raw.isspace():  # = `not raw.strip()`, without copying a 100 MB file to find out
        add(path, f"{what} is empty")
        return FAILED
    if raw.startswith(_UTF8_BOM):
        add(path, f"{what} starts with a UTF-8 byte order mark (BOM), which the format "
                  "forbids; save it as UTF-8 without BOM")
        raw = raw[len(_UTF8_BOM):]
    else:
        for bom, encoding in _OTHER_BOMS:
            if raw.startswith(bom):
                add(path, f"{what} is {encoding} (it starts with a {encoding} byte order mark); "
                          "the format is UTF-8")
                return FAILED
    nul = raw.find(b"\x00")
    if nul >= 0:
        line, column = line_column(raw, nul)
        count = raw.count(b"\x00")
        add(path, f"{what} contains {count} NUL byte(s), the first at line {line} "
                  f"column {column}; JSON text never does (UTF-16, or not a text file?)")
        return FAILED
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = line_column(raw, exc.start)
        add(path, f"{what} is not valid UTF-8: byte 0x{raw[exc.start]:02x} at line {line} "
                  f"column {column} (byte offset {exc.start})")
        return FAILED
    try:
        with gc_paused():
            return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        add(path, f"{what} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}")
    except _NotJsonConstant as exc:
        add(path, f"{what} contains {exc}, which is not valid JSON (numbers must be finite)")
    except RecursionError:
        add(path, f"{what} nests arrays/objects too deeply to be an export")
    except ValueError as exc:  # an integer literal with more than 4300 digits (Python's own limit)
        detail = "a number has more than 4,300 digits" if "digits" in str(exc) else str(exc)
        add(path, f"{what} cannot be parsed: {detail}")
    return FAILED
