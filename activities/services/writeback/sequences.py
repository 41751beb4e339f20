"""Sequence fields on the Contact or Lead: the most recent active enrollment wins; none clears them."""

from __future__ import annotations

from activities.models import Enrollment, Prospect
from integrations.selectors import connection_get_for_user
from mappings.payloads import EnrollmentData


def sequence_state(prospect: Prospect) -> EnrollmentData | None:
    latest_per_sequence: dict[str, Enrollment] = {}
    for enrollment in Enrollment.objects.filter(prospect=prospect).select_related("user").order_by("occurred_at", "id"):
        latest_per_sequence[enrollment.sequence_name] = enrollment
    active = [e for e in latest_per_sequence.values() if e.is_active]
    if not active:
        return None
    current = max(active, key=lambda e: (e.occurred_at, e.pk))
    connection = connection_get_for_user(workspace=prospect.workspace, user=current.user)
    return EnrollmentData(
        sequence_name=current.sequence_name,
        step_name=current.step_name,
        status=current.status or "Active",
        sequenced_by_user_id=connection.remote_user_id if connection else "",
    )
