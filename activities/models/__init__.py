from activities.models.events import (
    Activity,
    ActivityKind,
    ActivityState,
    Enrollment,
    EnrollmentEvent,
    MatchedBy,
    OptOut,
    Prospect,
    SalesforceType,
)
from activities.models.keys import ApiKey, IdempotencyRecord
from activities.models.ledger import (
    AttemptOutcome,
    JobAction,
    JobStatus,
    WritebackAttempt,
    WritebackJob,
)

__all__ = [
    "Activity",
    "ActivityKind",
    "ActivityState",
    "ApiKey",
    "AttemptOutcome",
    "Enrollment",
    "EnrollmentEvent",
    "IdempotencyRecord",
    "MatchedBy",
    "JobAction",
    "JobStatus",
    "OptOut",
    "Prospect",
    "SalesforceType",
    "WritebackAttempt",
    "WritebackJob",
]
