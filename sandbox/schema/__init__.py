"""The sandbox's own schema of the standard objects it emulates, and the describe builder."""

from sandbox.schema.core import ACCOUNT, CONTACT, LEAD
from sandbox.schema.model import Field, SObjectSpec, make_field, make_sobject
from sandbox.schema.organization import ORGANIZATION
from sandbox.schema.sales import CASE, EVENT, OPPORTUNITY, TASK, USER
from sandbox.schema.setup import RECORD_TYPE

STANDARD_OBJECTS: dict[str, SObjectSpec] = {
    spec.name: spec
    for spec in (ACCOUNT, CONTACT, LEAD, OPPORTUNITY, CASE, TASK, EVENT, USER, ORGANIZATION, RECORD_TYPE)
}

__all__ = ["STANDARD_OBJECTS", "Field", "SObjectSpec", "make_field", "make_sobject"]
