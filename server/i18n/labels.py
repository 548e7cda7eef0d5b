"""Translatable names for stored values (roles, kinds, statuses…), used by templates."""

from __future__ import annotations

from server.i18n.catalogs import N_

LABELS: dict[str, dict[str, str]] = {
    "role": {
        "facilitator": N_("Facilitator"),
        "teacher": N_("Teacher"),
        "coordinator": N_("Coordinator"),
        "admin": N_("Administrator"),
    },
    "kind": {
        "language_course": N_("Language course"),
        "choir": N_("Choir"),
        "workshop": N_("Workshop"),
        "youth_programme": N_("Youth programme"),
        "counselling": N_("Counselling"),
        "event": N_("Event"),
        "distribution": N_("Distribution"),
        "training": N_("Training"),
    },
    "session_status": {
        "planned": N_("Planned"),
        "held": N_("Held"),
        "cancelled": N_("Cancelled"),
    },
    "mark": {
        "present": N_("Present"),
        "absent": N_("Absent"),
        "late": N_("Late"),
        "excused": N_("Excused"),
        "received": N_("Received"),
    },
    "difficulty": {
        "no_difficulty": N_("No difficulty"),
        "some_difficulty": N_("Yes, some difficulty"),
        "a_lot_of_difficulty": N_("Yes, a lot of difficulty"),
        "cannot_do_at_all": N_("Cannot do at all"),
        "prefer_not_to_say": N_("Prefer not to say"),
    },
    "wg_domain": {  # the Washington Group short set's domains, on a person's data page
        "seeing": N_("Difficulty seeing"),
        "hearing": N_("Difficulty hearing"),
        "walking": N_("Difficulty walking or climbing steps"),
        "remembering": N_("Difficulty remembering or concentrating"),
        "self_care": N_("Difficulty with self-care"),
        "communicating": N_("Difficulty communicating"),
    },
    "disability": {
        "with_disability": N_("With disability"),
        "without_disability": N_("Without disability"),
        "not_stated": N_("Not asked or declined"),
    },
    "sex": {
        "female": N_("Female"),
        "male": N_("Male"),
        "other": N_("Other"),
        "not_stated": N_("Not stated"),
    },
    "population_group": {
        "refugee_ukraine": N_("Refugee from Ukraine (temporary protection)"),
        "other_foreign": N_("Other foreign national"),
        "host_community": N_("Host community (Polish resident)"),
    },
    "consent": {
        "attendance": N_("Recording attendance (required)"),
        "reporting": N_("Anonymous totals in reports"),
        "contact": N_("Contact by phone"),
        "photos": N_("Photos from activities"),
    },
    "enrollment_status": {
        "active": N_("Active"),
        "waitlisted": N_("Waiting list"),
        "completed": N_("Completed"),
        "withdrawn": N_("Withdrawn"),
    },
    "skill": {
        "listening": N_("Listening"),
        "reading": N_("Reading"),
        "speaking": N_("Speaking"),
        "writing": N_("Writing"),
    },
    "course_language": {"pl": N_("Polish"), "en": N_("English"), "uk": N_("Ukrainian")},
    "mention": {
        "session_note": N_("Session note"),
        "lesson": N_("Lesson record"),
        "progress_note": N_("Note on another person's progress"),
    },
    "audit_action": {
        "auth.sign_in": N_("Signed in"),
        "auth.sign_out": N_("Signed out"),
        "auth.sign_in_failed": N_("Failed sign-in"),
        "auth.sign_in_throttled": N_("Sign-in refused: too many attempts"),
        "auth.password_wrong": N_("Password change refused: wrong current password"),
        "auth.password_throttled": N_("Password change refused: too many attempts"),
        "staff.create": N_("Staff account created"),
        "staff.enable": N_("Staff account enabled"),
        "staff.disable": N_("Staff account disabled"),
        "staff.password": N_("Password changed"),
        "staff.password_reset": N_("Password set by an administrator"),
        "staff.language": N_("Interface language chosen"),
        "attendance.mark": N_("Attendance marked"),
        "attendance.marks": N_("Attendance marked (synced from a device)"),
        "attendance.resolve": N_("Disagreement resolved"),
        "session.close": N_("Session closed"),
        "session.update": N_("Session changed"),
        "lesson.update": N_("Lesson log saved"),
        "progress.assess": N_("Progress assessed"),
        "enrollment.add": N_("Person enrolled"),
        "activity.create": N_("Activity created"),
        "activity.update": N_("Activity changed"),
        "activity.threshold": N_("Attendance threshold changed"),
        "person.register": N_("Person registered"),
        "people.merge": N_("People merged"),
        "people.not_duplicate": N_("Marked as not the same person"),
        "people.not_duplicate_undo": N_("Not the same person: undone"),
        "people.import": N_("People imported"),
        "person.disability": N_("Disability questions answered"),
        "person.export": N_("Person's data exported"),
        "person.erase": N_("Person erased"),
        "person.anonymise": N_("Person anonymised (retention)"),
        "export.attendance": N_("Attendance exported"),
        "export.report": N_("Report exported"),
        "sync.batch": N_("Changes synced from a device"),
        "job.run": N_("Scheduled job started by hand"),
    },
}


def label_msgid(group: str, value: object) -> str:
    key = getattr(value, "value", value)
    return LABELS.get(group, {}).get(str(key), str(key))
