"""Every URL pattern the project serves, read from Django's resolver, so a guard covers a view the day it is added.

A pattern is one `Route`: its full route text, its qualified name (`namespace:name`) and the names of the values
it needs. `fill()` turns a route into a URL with values the caller supplies, and fails (naming the route) when it
meets a value nobody said how to fill.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern, RoutePattern


@dataclass(frozen=True)
class Route:
    route: str
    name: str
    """`namespace:name`, or "" for an unnamed pattern."""
    args: tuple[str, ...]
    defaults: tuple[str, ...] = ()
    """Values the pattern supplies itself (`path(..., {"page_key": ...})`): not in the URL."""

    @property
    def is_admin(self) -> bool:
        return self.route.startswith("admin/")

    @property
    def is_api(self) -> bool:
        return self.name.startswith("api:")

    @property
    def in_workspace(self) -> bool:
        return "workspace_slug" in self.args

    @property
    def url_args(self) -> tuple[str, ...]:
        return tuple(a for a in self.args if a not in self.defaults)

    def __str__(self) -> str:
        return f"{self.name or '(unnamed)'} /{self.route}"


def _arg_names(pattern) -> list[str]:
    if isinstance(pattern, RoutePattern):
        return list(pattern.converters)
    if isinstance(pattern, RegexPattern):
        return list(pattern.regex.groupindex)
    return []


def routes(resolver: URLResolver | None = None, prefix: str = "", namespace: str = "", args=()) -> list[Route]:
    resolver = resolver or get_resolver()
    found = []
    for entry in resolver.url_patterns:
        here = [*args, *_arg_names(entry.pattern)]
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            found += routes(entry, prefix + str(entry.pattern), ns, here)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else (entry.name or "")
            defaults = tuple(entry.default_args or {})
            found.append(Route(prefix + str(entry.pattern), name, tuple(dict.fromkeys([*here, *defaults])), defaults))
    return found


class Unfillable(AssertionError):
    pass


def fill(route: Route, values: dict) -> str:
    """The URL of `route` with `values` (a dict of arg name -> value); Unfillable names what is missing."""
    missing = [a for a in route.url_args if a not in values]
    if missing:
        raise Unfillable(f"{route}: no value for {', '.join(missing)}")
    if not route.name:
        raise Unfillable(f"{route}: an unnamed pattern cannot be reversed; give it a name")
    return reverse(route.name, kwargs={a: values[a] for a in route.url_args})
