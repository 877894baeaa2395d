"""Accounts: people, passwords, the second factor, login throttling and role grants."""
