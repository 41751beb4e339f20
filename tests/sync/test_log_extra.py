"""A logging call whose `extra` names a LogRecord attribute raises KeyError, but only once its level is enabled,
so it hides in tests that log at WARNING and breaks the task in production (sync_filter_indexes did)."""

from __future__ import annotations

import ast
import logging
from pathlib import Path

import pytest

from sync.indexes import filter_indexes_update

ROOT = Path(__file__).resolve().parents[2]
# Every first-party package, so an app added later (actions/, the sandbox) is checked too without editing this list.
APPS = sorted(p.parent.name for p in ROOT.glob("*/__init__.py") if p.parent.name not in {"tests", ".venv"})
RESERVED = set(vars(logging.LogRecord("n", logging.INFO, "p", 1, "m", None, None))) | {"message", "asctime"}


def reserved_extra_keys():
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if not isinstance(node, ast.Call):
                    continue
                for kw in node.keywords:
                    if kw.arg == "extra" and isinstance(kw.value, ast.Dict):
                        for key in kw.value.keys:
                            if isinstance(key, ast.Constant) and key.value in RESERVED:
                                yield f"{path.relative_to(ROOT)}:{node.lineno} {key.value}"


def test_no_logging_call_passes_a_reserved_log_record_key_in_extra():
    assert {"actions", "activities", "integrations", "sandbox", "sync"} <= set(APPS)
    assert list(reserved_extra_keys()) == []


@pytest.mark.django_db
def test_the_filter_index_pass_logs_at_info_without_error(workspace, caplog):
    with caplog.at_level(logging.INFO, logger="sync.indexes"):
        assert filter_indexes_update(workspace_id=workspace.pk, sobjects=["Contact"]) == []
    assert [r.statements for r in caplog.records if r.msg == "sync.filter_indexes_pass"] == [0]
