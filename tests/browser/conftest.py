"""Browser tests reuse the sandbox-backed workspace of the activities tests (owner, reps, connected org)."""

from tests.activities.conftest import crm  # noqa: F401
