"""Values that mix text and variables: `Call with {prospect.first_name} – {sequence.name}`.

A template is plain text with `{key}` placeholders, keys being our variables (or their dotted aliases);
`{{` and `}}` stand for literal braces. Parsing says exactly what is wrong (an unknown variable, a brace left
open) so the settings page can show it beside the field; rendering leaves a variable with no value out, and the
spaces around it with it, rather than write "Call with  – ".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from mappings.compat import STRING_LIKE, field_label, is_restricted_picklist
from mappings.types import TEMPLATE_ALIASES, Variable

TEXT_TARGET_TYPES = STRING_LIKE - {"multipicklist"}
"""Field types text can fill (a multi-select picklist takes its own values only)."""
TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


class TemplateError(ValueError):
    """What is wrong with a template, as the admin reads it."""


@dataclass(frozen=True)
class Part:
    text: str = ""
    key: str = ""
    """A variable's key (canonical, aliases resolved); empty for literal text."""


def _canonical(name: str, variables: dict[str, Variable]) -> str | None:
    name = name.strip()
    if name in variables:
        return name
    alias = TEMPLATE_ALIASES.get(name)
    return alias if alias in variables else None


def template_parse(text: str, variables: dict[str, Variable]) -> list[Part]:
    """The template's literal text and variables, in order; raises TemplateError when it cannot be read."""
    parts: list[Part] = []
    position = 0
    unknown: list[str] = []
    for match in TOKEN.finditer(text):
        if match.start() > position:
            parts.append(Part(text=text[position : match.start()]))
        token = match.group(0)
        position = match.end()
        if token in ("{{", "}}"):
            parts.append(Part(text=token[0]))
        elif token == "{":
            raise TemplateError("A “{” is not closed: write {variable}, or {{ for a brace of its own.")
        elif token == "}":
            raise TemplateError("A “}” has no “{” before it: write }} for a brace of its own.")
        else:
            name = match.group(1)
            key = _canonical(name, variables)
            if not name.strip():
                raise TemplateError("“{}” names no variable: put one between the braces, e.g. {subject}.")
            if key is None:
                unknown.append(name.strip())
            else:
                parts.append(Part(key=key))
    if position < len(text):
        parts.append(Part(text=text[position:]))
    if unknown:
        names = ", ".join(f"{{{name}}}" for name in unknown)
        known = ", ".join(f"{{{key}}}" for key in variables)
        raise TemplateError(f"Unknown variable{'s' if len(unknown) > 1 else ''} {names}. Available: {known}.")
    return parts


def template_fixed_text(parts: list[Part]) -> str:
    return "".join(part.text for part in parts)


def template_check_target(field: dict, parts: list[Part]) -> None:
    """Raise TemplateError when `field` cannot hold text like this template's."""
    ftype = field.get("type")
    if ftype not in TEXT_TARGET_TYPES:
        raise TemplateError(f"{field_label(field)} is a {ftype} field: text with variables fits text fields only.")
    if is_restricted_picklist(field):
        raise TemplateError(
            f"{field_label(field)} is a restricted picklist: only its own values fit. Use a fixed value, or a "
            "variable with value translations."
        )
    length = field.get("length") or 0
    fixed = template_fixed_text(parts)
    if length and len(fixed) > length:
        raise TemplateError(f"The text alone is {len(fixed)} characters; {field_label(field)} holds {length}.")


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M %Z").strip()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def template_render(parts: list[Part], value_of: Callable[[str], Any]) -> str:
    """The text with each variable's value; a variable without one is left out, with the space it leaves."""
    out = []
    empty_seen = False
    for part in parts:
        if part.key:
            text = _as_text(value_of(part.key)).strip()
            empty_seen = empty_seen or not text
            out.append(text)
        else:
            out.append(part.text)
    text = "".join(out)
    if empty_seen:
        # "Call with {first_name} – {sequence}" without a sequence reads "Call with Ada", not "Call with Ada –".
        text = re.sub(r"[ \t]{2,}", " ", text)
        text = DANGLING.sub("", text)
    return text.strip()


DANGLING = re.compile(r"^[\s–—\-:|·,;/]+|[\s–—\-:|·,;/]+$")
"""Separators left at either end when the variable beside them had no value."""
