"""Quoted-string escapes (SOQL reference, "Quoted String Escape Sequences") and LIKE patterns."""

from __future__ import annotations

import re

_SIMPLE_ESCAPES = {"\\": "\\", "'": "'", '"': '"', "n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}
_HEX = frozenset("0123456789abcdefABCDEF")


class EscapeError(ValueError):
    """Bad escape at `offset` within the raw string body; the parser turns it into MalformedQuery."""

    def __init__(self, offset: int, detail: str) -> None:
        super().__init__(detail)
        self.offset = offset
        self.detail = detail


def _scan(raw: str, *, like: bool) -> list[tuple[str, bool]]:
    """Split `raw` into (char, is_literal) pairs. is_literal is False only for unescaped LIKE
    wildcards, which is why decoding must know the context."""
    out: list[tuple[str, bool]] = []
    i, n = 0, len(raw)
    while i < n:
        c = raw[i]
        if c != "\\":
            out.append((c, not (like and c in "%_")))
            i += 1
            continue
        if i + 1 >= n:
            raise EscapeError(i, "Invalid string literal: trailing backslash")
        e = raw[i + 1]
        if e in _SIMPLE_ESCAPES:
            out.append((_SIMPLE_ESCAPES[e], True))
            i += 2
        elif e == "u":
            digits = raw[i + 2 : i + 6]
            if len(digits) != 4 or not all(d in _HEX for d in digits):
                raise EscapeError(i, "Invalid unicode escape sequence: \\u must be followed by 4 hex digits")
            out.append((chr(int(digits, 16)), True))
            i += 6
        elif like and e in "%_":
            out.append((e, True))
            i += 2
        else:
            raise EscapeError(i, f"Invalid string literal: invalid escape sequence '\\{e}'")
    return out


def decode_string(raw: str) -> str:
    """Decode an ordinary string literal; `\\%` and `\\_` are errors outside LIKE."""
    return "".join(c for c, _ in _scan(raw, like=False))


def like_regex(raw: str) -> str:
    """Regex source (for fullmatch) equivalent to a LIKE pattern: % = any run, _ = one char."""
    parts: list[str] = []
    for c, literal in _scan(raw, like=True):
        if literal:
            parts.append(re.escape(c))
        else:
            parts.append(".*" if c == "%" else ".")
    return "".join(parts)
