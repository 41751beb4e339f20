"""Rows of every workspace-owned kind a URL can name, for the guard suites (tests/factories.py has the people)."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import factory
from django.utils import timezone

from actions.models import ActionRun
from activities.models import Activity, Prospect, WritebackJob
from activities.models.ledger import JobAction, JobStatus
from mappings.models import SettingsChange
from sync.models import SyncRun
from tests.factories import UserFactory, WorkspaceFactory
from workspaces.models import Invitation


class ProspectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Prospect

    workspace = factory.SubFactory(WorkspaceFactory)
    email = factory.Sequence(lambda n: f"prospect{n}@globex.example")
    first_name = "Dana"
    last_name = factory.Sequence(lambda n: f"Ito{n}")
    company_name = "Globex"


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    workspace = factory.SubFactory(WorkspaceFactory)
    prospect = factory.SubFactory(ProspectFactory, workspace=factory.SelfAttribute("..workspace"))
    user = factory.SubFactory(UserFactory)
    external_id = factory.Sequence(lambda n: f"act-{n}")
    kind = "call"
    state = "completed"
    subject = "Call"


class FailedJobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WritebackJob

    workspace = factory.SubFactory(WorkspaceFactory)
    activity = factory.SubFactory(ActivityFactory, workspace=factory.SelfAttribute("..workspace"))
    prospect = factory.SelfAttribute("activity.prospect")
    user = factory.SelfAttribute("activity.user")
    action = JobAction.TASK_CREATE
    status = JobStatus.FAILED
    attempts = 5
    next_attempt_at = factory.LazyFunction(timezone.now)
    last_error_code = "REQUIRED_FIELD_MISSING"
    last_error_message = "Required fields are missing: [Subject]"
    idempotency_key = factory.Sequence(lambda n: f"guard-job-{n}")
    finished_at = factory.LazyFunction(timezone.now)


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    workspace = factory.SubFactory(WorkspaceFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.test")
    token_hash = factory.Sequence(lambda n: hashlib.sha256(f"guard-invite-{n}".encode()).hexdigest())
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))


class ActionRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionRun

    workspace = factory.SubFactory(WorkspaceFactory)
    name = "create_task"
    status = "failed"
    input = factory.LazyFunction(lambda: {"subject": "Follow up"})
    error_code = "invalid_field"
    error_message = "No such field."


class SyncRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SyncRun

    workspace = factory.SelfAttribute("connection.workspace")
    connection = None  # a Connection of the workspace: pass it
    kind = "incremental"
    status = "succeeded"


class SettingsChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SettingsChange

    workspace = factory.SubFactory(WorkspaceFactory)
    section = "advanced"
    summary = "Changed advanced settings"
    before = factory.LazyFunction(dict)
    after = factory.LazyFunction(dict)
