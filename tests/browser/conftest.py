"""Browser tests reuse the sandbox-backed workspace of the activities tests (owner, reps, connected org).

Every browser test also fails if the page reported a Content-Security-Policy violation on the console: an inline
handler, style or script the policy blocked is a feature that silently stopped working."""

import pytest

from tests.activities.conftest import crm  # noqa: F401


@pytest.fixture(autouse=True)
def csp_violations(page):
    """The console messages about the Content-Security-Policy this test's page produced (none allowed)."""
    found = []
    page.on(
        "console", lambda message: found.append(message.text) if "Content Security Policy" in message.text else None
    )
    yield found
    assert not found, "Content-Security-Policy violations:\n" + "\n".join(found)
