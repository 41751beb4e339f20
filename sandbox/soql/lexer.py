"""Tokenizer. Keywords are not special here: SOQL keywords double as names (`FROM Order`), so the
parser decides by context."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import MalformedQuery, located

# Order matters: a datetime starts like a date, a date starts like a number.
_TOKEN_RE = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<datetime>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})(?![\w:.+-]))
  | (?P<date>\d{4}-\d{2}-\d{2}(?![\w:.+-]))
  | (?P<number>[+-]?\d+(?:\.\d+)?(?![\w.]))
  | (?P<ident>[A-Za-z][A-Za-z0-9_]*)
  | (?P<op>!=|<>|<=|>=|=|<|>)
  | (?P<punct>[(),.:])
    """,
    re.VERBOSE,
)

_WORD_RE = re.compile(r"\S+")
_PUNCT_KINDS = {"(": "LPAREN", ")": "RPAREN", ",": "COMMA", ".": "DOT", ":": "COLON"}
_GROUP_KINDS = {"datetime": "DATETIME", "date": "DATE", "number": "NUMBER", "ident": "IDENT", "op": "OP"}

MAX_QUERY_LENGTH = 100_000  # Salesforce's documented statement limit


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # IDENT STRING NUMBER DATE DATETIME OP LPAREN RPAREN COMMA DOT COLON EOF
    text: str  # source text; for STRING the raw body between the quotes (escapes undecoded)
    pos: int

    def upper(self) -> str:
        return self.text.upper() if self.kind == "IDENT" else ""


def tokenize(text: str) -> list[Token]:
    if len(text) > MAX_QUERY_LENGTH:
        raise MalformedQuery(f"Query is too long: {len(text)} characters (maximum {MAX_QUERY_LENGTH})")
    tokens: list[Token] = []
    pos, end = 0, len(text)
    while pos < end:
        if text[pos] == "'":
            close = _string_end(text, pos)
            tokens.append(Token("STRING", text[pos + 1 : close], pos))
            pos = close + 1
            continue
        m = _TOKEN_RE.match(text, pos)
        if m is None:
            raise MalformedQuery(located(text, pos, f"unexpected token: '{_snippet(text, pos)}'"))
        group = m.lastgroup
        if group != "ws":
            kind = _PUNCT_KINDS[m.group()] if group == "punct" else _GROUP_KINDS[group or ""]
            tokens.append(Token(kind, m.group(), pos))
        pos = m.end()
    tokens.append(Token("EOF", "", end))
    return tokens


def _string_end(text: str, start: int) -> int:
    """Index of the closing quote of the string opened at `start`; escapes are validated later,
    in context, because `\\%` is legal only in LIKE."""
    i = start + 1
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "'":
            return i
        i += 1
    raise MalformedQuery(located(text, start, "unterminated string literal"))


def _snippet(text: str, pos: int) -> str:
    m = _WORD_RE.match(text, pos)
    return m.group()[:20] if m else text[pos : pos + 1]
