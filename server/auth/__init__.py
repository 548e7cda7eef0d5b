"""Staff accounts, roles, passwords, sign-in sessions and the guards built on them."""
