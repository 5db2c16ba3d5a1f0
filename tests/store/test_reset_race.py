"""A reset during voting: votes and resets exclude each other, so the counters equal a
recount of the rows after any mix of them, and no vote is answered with a 500."""

import random
import threading
import time
from collections import Counter

from sqlalchemy import func, select

from debate.store.db import db
from debate.store.models import DebateReader, Tally, Vote
from helpers import (
    CLAIM_KEYS,
    SLUG,
    Reader,
    add_author,
    csrf_of,
    make_app,
    reset_database,
    sign_in,
)

# Neither the voters (one address) nor the author's resets may be held by a limit here.
UNLIMITED = {
    "VOTE_LIMIT_PER_ADDRESS": "100000 per minute",
    "AUTHOR_ACTIONS_PER_AUTHOR": "100000 per minute",
}


def test_resets_racing_votes_leave_exact_counts(database_uri):
    app = make_app(database_uri, **UNLIMITED)
    reset_database(app)
    add_author(app)
    author = app.test_client()
    assert sign_in(author).status_code == 303
    token = csrf_of(author, f"/dashboard/debates/{SLUG}/reset")
    stop, statuses, lock = threading.Event(), Counter(), threading.Lock()

    def voter(seed: int):
        rng = random.Random(seed)
        while not stop.is_set():
            reader = Reader(app.test_client())
            for _ in range(6):
                if rng.random() < 0.3:
                    response = reader.stance(
                        rng.choice(("before", "after")), rng.choice(("open", "closed", "undecided"))
                    )
                else:
                    response = reader.vote_claim(
                        rng.choice(CLAIM_KEYS[:3]), rng.choice(("agree", "disagree", "unsure"))
                    )
                with lock:
                    statuses[response.status_code] += 1

    threads = [threading.Thread(target=voter, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    resets = 0
    # At least 25 resets, and until at least 50 votes went through between them (on
    # a busy machine the resets alone can be over before the voters get going).
    deadline = time.monotonic() + 60
    try:
        while resets < 25 or statuses[303] <= 50:
            assert time.monotonic() < deadline, (resets, statuses)
            response = author.post(
                f"/dashboard/debates/{SLUG}/reset", data={"confirm": SLUG, "csrf_token": token}
            )
            assert response.status_code == 303, response.get_data(as_text=True)
            resets += 1
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert resets >= 25 and statuses[303] > 50, (resets, statuses)
    assert set(statuses) <= {303, 409}, statuses
    with app.app_context():
        rows = Counter(
            {
                (k, i, c): n
                for k, i, c, n in db.session.execute(
                    select(Vote.kind, Vote.item_key, Vote.choice, func.count()).group_by(
                        Vote.kind, Vote.item_key, Vote.choice
                    )
                )
            }
        )
        counters = Counter(
            {
                (k, i, c): int(n)
                for k, i, c, n in db.session.execute(
                    select(Tally.kind, Tally.item_key, Tally.choice, func.sum(Tally.count))
                    .where(Tally.kind.in_(("claim", "stance")))
                    .group_by(Tally.kind, Tally.item_key, Tally.choice)
                )
            }
        )
        readers = db.session.scalar(select(func.count()).select_from(DebateReader))
        counted_readers = db.session.scalar(
            select(func.coalesce(func.sum(Tally.count), 0)).where(Tally.kind == "readers")
        )
    assert +counters == rows
    assert counted_readers == readers
