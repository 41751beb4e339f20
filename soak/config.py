"""Sizes and knobs of a soak run: defaults (the full soak), `--short` (the CI version), then SOAK_* environment
variables, then command-line options, each overriding the one before."""

from __future__ import annotations

import argparse
import dataclasses
import os
from dataclasses import dataclass, fields


@dataclass
class Config:
    activities: int = 10_000  # in all, the burst included
    enrollments: int = 2_000
    burst: int = 2_000  # of the activities, POSTed at once halfway through (batches of at most 1,000, concurrently)
    reps: int = 50
    duration_s: float = 600.0  # of the steady load
    existing_contacts: int = 500  # prospects already in the org as Contacts; the others are created
    fault_rate: float = 0.2  # share of data-API calls that fail, spread evenly over the kinds
    chaos_every_s: float = 20.0  # 0: no chaos
    chaos_cluster_share: float = 0.5  # of the chaos kills, the share that takes a whole cluster (else one worker)
    revoke: bool = True  # one rep's token revoked at 30% of the run, reconnected at 60%
    drain_timeout_s: float = 900.0  # after the load, how long to wait for every write to settle
    posters: int = 16  # concurrent HTTP clients of the steady load
    workers: int = 2  # per cluster
    clusters: int = 2
    providers: str = "salesforce"  # comma-separated: soak/destinations.py
    seed: int = 18
    keep: bool = False  # keep the soak database (its name is in the report)

    def validate(self) -> None:
        if self.activities < 1 or self.burst < 0 or self.burst > self.activities:
            raise ValueError("activities must be at least 1 and burst between 0 and activities")
        if self.reps < 2 or self.duration_s <= 0 or not 0 <= self.fault_rate < 1:
            raise ValueError("reps must be at least 2, duration_s positive, fault_rate in [0, 1)")
        if self.clusters < 1 or self.workers < 1:
            raise ValueError("clusters and workers must be at least 1")


SHORT = {"activities": 1_000, "enrollments": 200, "burst": 200, "duration_s": 120.0, "existing_contacts": 100,
         "drain_timeout_s": 600.0, "posters": 8}  # fmt: skip


def _convert(field: dataclasses.Field, raw: str):
    if field.type == "bool":
        return raw.strip().lower() in ("1", "true", "yes", "on")
    return {"int": int, "float": float}.get(field.type, str)(raw)


def config_from(argv: list[str], environ: dict[str, str] | None = None) -> Config:
    environ = os.environ if environ is None else environ
    parser = argparse.ArgumentParser(prog="python -m soak", description=__doc__)
    parser.add_argument("--short", action="store_true", help=f"the CI version: {SHORT}")
    for field in fields(Config):
        flag = "--" + field.name.replace("_", "-")
        env = f"SOAK_{field.name.upper()}"
        if field.type == "bool":
            parser.add_argument(flag, action=argparse.BooleanOptionalAction, default=None, help=f"(env {env})")
        else:
            parser.add_argument(flag, default=None, help=f"default {field.default} (env {env})")
    args = parser.parse_args(argv)
    short = args.short or environ.get("SOAK_SHORT", "").lower() in ("1", "true", "yes")
    values = {f.name: f.default for f in fields(Config)} | (SHORT if short else {})
    for field in fields(Config):
        raw = environ.get(f"SOAK_{field.name.upper()}")
        if raw not in (None, ""):
            values[field.name] = _convert(field, raw)
        given = getattr(args, field.name)
        if given is not None:
            values[field.name] = given if field.type == "bool" else _convert(field, given)
    config = Config(**values)
    config.validate()
    return config
