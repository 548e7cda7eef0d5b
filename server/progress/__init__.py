"""Learners' progress: CEFR level per skill, assessed over time (never overwritten)."""
