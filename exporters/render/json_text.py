"""JSON as the workbook prints it: indented by two, non-ASCII kept as typed, one final newline.

One writer for ``--json`` output and ``export --format json``, so a script reading either
meets the same bytes.
"""

from __future__ import annotations

import json
from typing import Any


def json_text(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
