from __future__ import annotations

import re

_USAGE_RE = re.compile(r"api-usage=(\d+)/(\d+)")


def parse_limit_info(header: str | None) -> tuple[int, int] | None:
    """(used, max) from `Sforce-Limit-Info: api-usage=10018/100000`."""
    if not header:
        return None
    match = _USAGE_RE.search(header)
    if not match:
        return None
    return int(match.group(1)), int(match.group(2))
