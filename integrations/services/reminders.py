"""Reminding reps who have not connected their own Salesforce user: an email with the link to connect.

Each reminder is a ConnectionEvent (the audit log shows who reminded whom), and the same rows throttle: a member is
reminded at most once per REMINDER_INTERVAL, so a double click or "Remind all" pressed twice sends nothing more.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from integrations.models import ConnectionAction, ConnectionEvent
from integrations.selectors import REMINDER_INTERVAL, TeamMemberConnection, connection_list_team
from integrations.services.audit import connection_event_record
from integrations.types import ProviderSlug
from workspaces.models import Membership

logger = logging.getLogger(__name__)


@dataclass
class ReminderResult:
    sent: list = field(default_factory=list)
    """Users an email went to."""
    throttled: list[tuple[object, datetime]] = field(default_factory=list)
    """(user, when the next reminder may go) for members reminded too recently."""
    failed: list = field(default_factory=list)
    """Users whose email the mail server refused; they can be reminded again at once."""


def connection_reminders_send(*, workspace, actor, base_url: str, user_ids=None) -> ReminderResult:
    """Email every member without a usable connection of their own (or those of `user_ids` among them).

    The actor is never reminded, and members who are connected are left out silently: the page only offers the
    button for those who need it, and a stale page must not email someone who has connected since.
    """
    result = ReminderResult()
    wanted = None if user_ids is None else {int(pk) for pk in user_ids}
    rows = [
        row
        for row in connection_list_team(workspace=workspace)
        if row.needs_reminder
        and row.membership.user_id != actor.pk
        and row.membership.user.is_active
        and (wanted is None or row.membership.user_id in wanted)
    ]
    if not rows:
        return result
    to_send: list[tuple[TeamMemberConnection, ConnectionEvent]] = []
    with transaction.atomic():
        # Lock the members' rows so two admins (or two clicks) cannot both pass the throttle for the same rep.
        list(Membership.objects.select_for_update().filter(pk__in=[r.membership.pk for r in rows]))
        since = timezone.now() - REMINDER_INTERVAL
        recent = dict(
            ConnectionEvent.objects.filter(
                workspace=workspace,
                provider=ProviderSlug.SALESFORCE,
                action=ConnectionAction.REMINDER_SENT,
                subject_user_id__in=[r.membership.user_id for r in rows],
                created_at__gt=since,
            )
            .order_by("subject_user_id", "created_at")
            .values_list("subject_user_id", "created_at")
        )
        for row in rows:
            user = row.membership.user
            if user.pk in recent:
                result.throttled.append((user, recent[user.pk] + REMINDER_INTERVAL))
                continue
            event = connection_event_record(
                workspace=workspace,
                label=f"Salesforce connection of {user}",
                action=ConnectionAction.REMINDER_SENT,
                actor=actor,
                subject_user=user,
                detail=f"Emailed {user.email} to {'reconnect' if row.connection else 'connect'} their Salesforce user.",
            )
            to_send.append((row, event))
    if to_send:
        _send(to_send, workspace=workspace, actor=actor, base_url=base_url, result=result)
    return result


def _send(to_send, *, workspace, actor, base_url: str, result: ReminderResult) -> None:
    link = base_url.rstrip("/") + reverse("integration_list", args=[workspace.slug])
    mail = get_connection()
    for row, event in to_send:
        user = row.membership.user
        try:
            mail.send_messages([_message(row, workspace=workspace, actor=actor, link=link)])
        except Exception:  # the mail server said no: forget the reminder so it can be sent again right away
            logger.exception("salesforce.reminder_failed", extra={"user_id": user.pk, "workspace_id": workspace.pk})
            event.delete()
            result.failed.append(user)
        else:
            result.sent.append(user)
    logger.info(
        "salesforce.reminders_sent",
        extra={"workspace_id": workspace.pk, "sent": len(result.sent), "failed": len(result.failed)},
    )


def _message(row: TeamMemberConnection, *, workspace, actor, link: str) -> EmailMessage:
    user = row.membership.user
    verb = "reconnect" if row.connection is not None else "connect"
    why = (
        "Your Salesforce connection stopped working"
        if row.connection is not None
        else "Your Salesforce connection was disconnected"
        if row.disconnected is not None
        else "You have not connected your Salesforce user yet"
    )
    body = (
        f"Hi {user.display_name},\n\n"
        f"{actor.display_name} asks you to {verb} your Salesforce user in {workspace.name} on Switchboard.\n\n"
        f"{why}, so the calls, emails, LinkedIn touches and SMS you log are not written to Salesforce as you: "
        f"they wait until you {verb}. Nothing is lost, and they are written as soon as you do.\n\n"
        f"{verb.capitalize()} here (it takes a minute: sign in to Salesforce and click Allow):\n{link}\n"
    )
    return EmailMessage(
        subject=f"{verb.capitalize()} your Salesforce user in {workspace.name}",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        reply_to=[actor.email],  # a rep with a question answers the admin, not no-reply
    )
