"""argparse types both mock CLIs share, so a bad flag value is one usage line that says what to give."""
from __future__ import annotations

import argparse
import json


def scenario_params(text: str) -> str:
    """`--params`: a JSON object of scenario overrides (kept as text: the settings parse it again)."""
    example = '\'{"people": 40}\''
    try:
        value = json.loads(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"{text!r} is not JSON ({error.args[0].split(':')[0]}); give an object "
                                         f"of scenario overrides, e.g. --params {example}") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError(f"{text!r} is JSON but not an object; give an object of scenario "
                                         f"overrides, e.g. --params {example}")
    return text
