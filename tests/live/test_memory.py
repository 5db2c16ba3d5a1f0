"""A worker's memory stays flat under junk: unknown debates and claims, and the real
pages under random Host names, measured over HTTP and /proc only."""

import pytest

from bench.junk import LIMIT_MIB, REQUESTS, memory_growth
from helpers import make_app, reset_database
from live import Gunicorn

pytestmark = pytest.mark.live
WARM_UP = REQUESTS // 10
TIMEOUT = 300  # seconds per batch: one worker answers the mix at 400 to 700 req/s on 2 cores


def test_junk_requests_leave_a_workers_memory_flat(database_uri):
    reset_database(make_app(database_uri))
    with Gunicorn(database_uri, workers=1) as server:
        [worker] = server.worker_pids()
        growth = memory_growth(server.url, worker, REQUESTS, WARM_UP, timeout=TIMEOUT)
        log = server.output()
    print(f"\n{growth}")
    assert growth.run.sent == REQUESTS, f"only {growth.run.sent} sent within {TIMEOUT} s"
    assert growth.run.failures == 0, log[-6000:]
    assert growth.mib <= LIMIT_MIB, str(growth)
