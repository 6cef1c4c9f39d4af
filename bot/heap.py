"""Keeping the collector's full passes short once the bot has started.

Python's full collection walks every tracked object. After start-up most of them are the
imported libraries, the mappers and the handlers, which live as long as the process; a full pass
over them took about 70 ms here and landed on whichever update was being handled. Freezing the
heap once start-up is over leaves them out of every later pass.

An update makes thousands of short-lived objects (rows, sessions, messages), nearly all freed by
reference counting; at the default threshold (700) a young collection ran several times within
one update and pushed its live objects towards the full passes. A larger first threshold keeps
the same ratios between generations and collects about fourteen times less often.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 10_000


def settle_heap() -> None:
    """Collects what start-up left behind, freezes the rest out of later full passes, and
    collects the young generation less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, 10, 10)
