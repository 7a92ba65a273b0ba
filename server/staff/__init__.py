"""Staff identity: console accounts, roles, password hashing, login lockout and console sessions."""
