"""schemathesis runs generated requests for every operation of /api/v1/openapi.json against the app (a bounded
number per operation, with a key that has every scope and a connected sandbox org): no answer may be a 500, and
every documented answer must match its schema."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

pytestmark = pytest.mark.django_db

MAX_EXAMPLES = 15

# Bounded: the coverage phase (every boundary and negative case the schema implies, some 700 requests for the
# events endpoint alone) is off; examples plus a fixed number of generated requests per operation, valid and
# invalid alike, keep the file well under a minute.
CONFIG = schemathesis.config.SchemathesisConfig.from_dict(
    {
        "phases": {"coverage": {"enabled": False}, "stateful": {"enabled": False}},
        "generation": {"max-examples": MAX_EXAMPLES, "mode": "all"},
    }
)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application(), config=CONFIG)

WAITING = {
    "/api/v1/actions/create_task",
    "/api/v1/actions/update_opportunity",
    "/api/v1/actions/log_meeting",
    "/api/v1/accounts/scores",
}
"""Operations whose body takes `wait`."""

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture
def bearer(agent, settings):
    """The key's header; requests go through the real WSGI handler, which (unlike Django's test client) closes
    the database connection when a request ends: kept open here, so the test's transaction survives."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    settings.WRITEBACK_BACKOFF_BASE_S = 0.01
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield {"Authorization": f"Bearer {agent.raw}"}
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_to_its_description(case, bearer):
    if isinstance(case.body, dict) and case.operation.path in WAITING:
        case.body["wait"] = 0  # a generated request must not hold the test for up to a minute (default 10 s)
    case.call_and_validate(headers=bearer, checks=CHECKS)
