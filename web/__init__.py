"""Templates and static files (the package makes them installable with the server)."""
