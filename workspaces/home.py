"""What the workspace home page shows: one line of status from each part of the product, read through its selectors.

The home page is the only place that reads across apps, so the imports stay here rather than in workspaces' models.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# How a person counts activities of each kind: (one, many). Kinds not listed read as "activity".
KIND_NOUNS = {
    "call": ("call", "calls"),
    "email_sent": ("sent email", "sent emails"),
    "email_received": ("received email", "received emails"),
    "linkedin_message": ("LinkedIn message", "LinkedIn messages"),
    "linkedin_connection": ("LinkedIn connection request", "LinkedIn connection requests"),
    "sms": ("SMS", "SMS"),
    "other": ("other activity", "other activities"),
}


@dataclass(frozen=True)
class OwnWaiting:
    """A rep's activities whose writes wait for the rep's own Salesforce connection, counted by kind."""

    by_kind: list[tuple[str, int]] = field(default_factory=list)
    """(kind, activities), most first."""
    reconnect: bool = False
    """The rep has a connection that needs reconnecting (else: none at all)."""

    @property
    def total(self) -> int:
        return sum(n for _, n in self.by_kind)

    @property
    def sentence(self) -> str:
        """ "3 of your calls are waiting until you connect Salesforce." and the like."""
        if not self.by_kind:
            return ""
        parts = [f"{n} {KIND_NOUNS.get(kind, ('activity', 'activities'))[n != 1]}" for kind, n in self.by_kind]
        until = "until you reconnect Salesforce" if self.reconnect else "until you connect Salesforce"
        if len(parts) == 1:
            kind, n = self.by_kind[0]
            one, many = KIND_NOUNS.get(kind, ("activity", "activities"))
            if n == 1:
                return f"1 {one} of yours is waiting {until}."
            return f"{n} of your {many} are waiting {until}."
        listed = ", ".join(parts[:-1]) + " and " + parts[-1]
        return f"Your {listed} are waiting {until}."


@dataclass(frozen=True)
class HomeSummary:
    admin_connection: object | None
    own_connection: object | None
    writeback: dict[str, int]
    last_full_sync: object | None
    synced_objects: int
    initial_import: dict | None = None
    own_waiting: OwnWaiting = field(default_factory=OwnWaiting)
    writeback_is_own: bool = False
    """The writeback counts are the person's own (a rep), not the team's (an admin)."""
    team: dict[str, int] | None = None
    """For admins: {"members": n, "connected": n} of the team's own connections."""


def home_summary(*, workspace, user) -> HomeSummary:
    from activities.selectors import activity_counts
    from integrations.selectors import connection_get_admin, connection_get_for_user, connection_list_team
    from sync.selectors import initial_import_status, run_full_latest, sync_health
    from workspaces.models import MANAGE_CRM_SETTINGS

    admin_connection = connection_get_admin(workspace=workspace)
    own_connection = connection_get_for_user(workspace=workspace, user=user)
    manages = user.has_perm(MANAGE_CRM_SETTINGS, workspace)
    # A rep's home counts their own activities; the team's are for those who can act on them.
    team = None
    if manages:
        rows = connection_list_team(workspace=workspace)
        team = {"members": len(rows), "connected": sum(1 for row in rows if row.state == "connected")}
    # Activities, counted as the Activity page counts them, so the two pages never disagree.
    counts = activity_counts(workspace=workspace, user=None if manages else user)
    writeback = {
        "written": counts["written"],
        "pending": counts["pending"] + counts["waiting"],
        "waiting": counts["waiting"],
        "failed": counts["failed"],
    }
    return HomeSummary(
        admin_connection=admin_connection,
        own_connection=own_connection,
        writeback=writeback,
        writeback_is_own=not manages,
        team=team,
        last_full_sync=run_full_latest(workspace=workspace),
        synced_objects=sum(1 for row in sync_health(workspace=workspace) if row.records),
        initial_import=initial_import_status(workspace=workspace, connection=admin_connection),
        own_waiting=own_waiting(workspace=workspace, user=user, connection=own_connection),
    )


def own_waiting(*, workspace, user, connection) -> OwnWaiting:
    """Activities of `user` with a write that waits for their own connection.

    Counted only while they have no usable connection, and then pending writes count too: the runner parks them the
    moment it picks them up, so a rep who never connected sees everything they logged, not only what was tried.
    """
    from django.db.models import Count

    from activities.models import JobStatus, WritebackJob

    if connection is not None and connection.is_usable:
        return OwnWaiting()  # anything still parked resumes at the next sweep: nothing for the rep to do
    statuses = [JobStatus.WAITING_RECONNECT, JobStatus.PENDING, JobStatus.RUNNING]
    rows = (
        WritebackJob.objects.filter(workspace=workspace, user=user, status__in=statuses, activity__isnull=False)
        .values("activity__kind")
        .annotate(n=Count("activity", distinct=True))
        .order_by("-n", "activity__kind")
    )
    return OwnWaiting(
        by_kind=[(row["activity__kind"], row["n"]) for row in rows],
        reconnect=connection is not None,
    )
