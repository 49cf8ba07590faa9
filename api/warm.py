"""The answers users ask for first, worked out in the background: as the served app starts and
after a load through it, so that the first visit finds them ready."""
from __future__ import annotations

import datetime as dt
import logging
import threading

from graph.analyses.coverage import coverage
from graph.analyses.gaps import find_gaps
from graph.analyses.scope import Scope
from graph.places import places
from graph.policy import Policy
from graph.privacy import mask_text
from graph.store import GraphStore

log = logging.getLogger("tupu.api")


def warm(store: GraphStore, policy: Policy) -> None:
    """The home page's few figures before every gap: read from disk (another process's kept
    answers), the page need not wait for the whole list."""
    today = dt.date.today()
    try:
        Scope(store, policy=policy).gap_counts(today)
        coverage(store, as_of=today, policy=policy, scope="region")
        find_gaps(store, as_of=today, policy=policy)
        _ = places(store).by_name  # regions by name, for --region and search (a country's: 665k names)
    except Exception as e:  # noqa: BLE001 - a cold cache is not an error: requests compute it
        log.warning("warm-up skipped: %s", mask_text(str(e)))


def warm_in_background(store: GraphStore, policy: Policy) -> None:
    threading.Thread(target=warm, args=(store, policy), daemon=True, name="tupu-warm").start()
