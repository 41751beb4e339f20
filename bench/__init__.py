"""`make bench`: one JSON object per benchmark on stdout, each with a baseline measured in the same process.

A benchmark is a module in this package exposing `run() -> dict | list[dict]`; each dict carries a "name".
Register it in BENCHMARKS. Progress and diagnostics go to stderr so stdout stays machine-readable.
"""

BENCHMARKS = (
    "bench.inbound_sync",
    "sandbox.bench",
    "bench.writeback",
)
