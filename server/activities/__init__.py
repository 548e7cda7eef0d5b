"""Activities (courses, choir, workshops, events, distributions…), their weekly schedules,
assigned staff, enrolments and the sessions that are held."""
