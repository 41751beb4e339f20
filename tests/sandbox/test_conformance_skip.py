"""Without ../shared (a user's machine) the conformance suite skips with a message saying what is missing."""

import pytest

from tests.sandbox import test_describe_conformance as conformance


def test_missing_recordings_skip_with_a_clear_message(monkeypatch, tmp_path):
    missing = tmp_path / "no-shared" / "fixtures" / "salesforce" / "describe"
    monkeypatch.setattr(conformance, "FIXTURES", missing)
    with pytest.raises(pytest.skip.Exception) as skipped:
        conformance._recording("Contact")
    message = str(skipped.value)
    assert "../shared/fixtures not present" in message and str(missing / "Contact.json") in message
