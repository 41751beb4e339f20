"""`make bench`: one JSON object per benchmark on stdout, each with a baseline measured in the same process.

A benchmark is a module exposing `run() -> dict | list[dict]`; each dict carries a "name". Register it in
BENCHMARKS under its short name (`make bench ARGS=writeback` runs one). Progress and diagnostics go to stderr
so stdout stays machine-readable.
"""

BENCHMARKS = {
    "inbound_sync": "bench.inbound_sync",
    "sandbox": "sandbox.bench",
    "writeback": "bench.writeback",
}
