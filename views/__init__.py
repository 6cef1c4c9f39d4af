"""Rendering: each view turns (language, plain data) into (text, keyboard), without a database."""
