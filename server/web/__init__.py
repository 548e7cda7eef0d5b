"""Litestar glue shared by every domain's routes: templates, sign-in middleware, guards,
dependencies and error pages. Domain logic never lives here."""
