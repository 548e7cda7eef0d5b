"""Alembic migrations. `razem db upgrade` runs them; see server/migrations/runner.py."""
