"""Every table model, imported in one place for Alembic and for tests."""

from server.activities.models import (
    Activity,
    ActivitySession,
    ActivityStaff,
    Enrollment,
    Location,
    WeeklySlot,
)
from server.attendance.models import AttendanceMark, MarkHistory
from server.audit.models import AuditEntry
from server.auth.models import SignInAttempt, StaffSession, StaffUser
from server.common.metadata import metadata
from server.jobs.models import JobRun
from server.people.models import Consent, Person
from server.progress.models import ProgressAssessment
from server.sync.models import AppliedWrite, Device

__all__ = [
    "Activity",
    "ActivitySession",
    "ActivityStaff",
    "AppliedWrite",
    "AttendanceMark",
    "AuditEntry",
    "Consent",
    "Device",
    "Enrollment",
    "JobRun",
    "Location",
    "MarkHistory",
    "Person",
    "ProgressAssessment",
    "SignInAttempt",
    "StaffSession",
    "StaffUser",
    "WeeklySlot",
    "metadata",
]
