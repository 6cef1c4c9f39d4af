"""The machinery every feature shares: one user action as one transaction (turn), who is
acting (actor), the outbox, the dialogue that routes typed text, errors and follow-ups."""
