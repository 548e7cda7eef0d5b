"""Attendance marks: one per session and person, and the one function that records them."""
