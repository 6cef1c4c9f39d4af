"""Persistence: tables, migrations and use-case functions over an async session."""
