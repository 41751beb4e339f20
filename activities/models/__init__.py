from activities.models.events import (
    Activity,
    ActivityKind,
    ActivityState,
    Enrollment,
    EnrollmentEvent,
    MatchCandidate,
    MatchedBy,
    MatchReview,
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
    "MatchCandidate",
    "MatchedBy",
    "MatchReview",
    "JobAction",
    "JobStatus",
    "OptOut",
    "Prospect",
    "SalesforceType",
    "WritebackAttempt",
    "WritebackJob",
]
