"""Plumbing every SRDI service uses, written once: settings, database, events, auth, errors."""
