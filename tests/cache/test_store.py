"""The cache's store: bounded, timed, one build per key, nothing left by a failed build."""

import threading
import time

import pytest

from debate.cache.store import MemoryBackend, Store


class Clock:
    """Time that moves only when a test says so."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


def memory_store(tmp_path, clock, max_entries=100, max_bytes=1_000_000) -> Store:
    return Store(MemoryBackend(tmp_path / "cache-epoch", max_entries, max_bytes, clock))


def test_a_value_is_built_once_while_fresh_and_again_after_its_lifetime(tmp_path, clock):
    store, builds = memory_store(tmp_path, clock), []

    def build():
        builds.append(1)
        return len(builds)

    assert [store.fetch("k", build, tag="t", ttl=5) for _ in range(3)] == [1, 1, 1]
    clock.now += 5
    assert store.fetch("k", build, tag="t", ttl=5) == 2


def test_no_lifetime_means_built_every_time_and_never_kept(tmp_path, clock):
    store = memory_store(tmp_path, clock)
    assert store.fetch("k", lambda: "v", tag="t", ttl=0) == "v"
    assert len(store.backend) == 0


def test_bounded_in_entries_and_in_bytes_oldest_use_first_out(tmp_path, clock):
    store = memory_store(tmp_path, clock, max_entries=3, max_bytes=10_000)
    for key in "abc":
        store.fetch(key, lambda key=key: key, tag="t", ttl=60)
    store.fetch("a", lambda: "rebuilt", tag="t", ttl=60)  # used: b is now the oldest
    store.fetch("d", lambda: "d", tag="t", ttl=60)
    assert sorted(store.backend.entries) == ["a", "c", "d"]
    store.fetch("big", lambda: "x" * 9_000, tag="t", ttl=60)
    assert store.backend.bytes <= 10_000 and "big" in store.backend.entries
    store.fetch("huge", lambda: "x" * 20_000, tag="t", ttl=60)
    assert "huge" not in store.backend.entries


def test_failed_and_refused_builds_leave_nothing_behind(tmp_path, clock):
    store = memory_store(tmp_path, clock)

    def fail():
        raise LookupError("no such debate")

    for number in range(1000):
        with pytest.raises(LookupError):
            store.fetch(f"missing-{number}", fail, tag=f"t{number}", ttl=60)
        assert (
            store.fetch(
                f"refused-{number}",
                lambda: None,
                tag="t",
                ttl=60,
                keep=lambda value: value is not None,
            )
            is None
        )
    assert len(store.backend) == 0 and store.flights == {} and store.backend.tags == {}


def test_one_builder_per_key_while_the_others_wait(tmp_path, clock):
    store, builds, started = memory_store(tmp_path, clock), [], threading.Event()
    release = threading.Event()

    def slow_build():
        builds.append(1)
        started.set()
        release.wait(5)
        return "built"

    results = []
    threads = [
        threading.Thread(
            target=lambda: results.append(store.fetch("k", slow_build, tag="t", ttl=60))
        )
        for _ in range(6)
    ]
    threads[0].start()
    started.wait(5)
    for thread in threads[1:]:
        thread.start()
    release.set()
    for thread in threads:
        thread.join()
    assert builds == [1] and results == ["built"] * 6


def test_invalidating_a_tag_drops_its_entries_only(tmp_path, clock):
    store = memory_store(tmp_path, clock)
    store.fetch("page", lambda: "old page", tag="essay", ttl=60)
    store.fetch("other", lambda: "other", tag="another", ttl=60)
    store.invalidate("essay")
    assert store.fetch("page", lambda: "new page", tag="essay", ttl=60) == "new page"
    assert store.fetch("other", lambda: "rebuilt", tag="another", ttl=60) == "other"


def test_a_build_that_an_invalidation_overtook_is_not_kept(tmp_path, clock):
    """It may hold what the write changed: the next request builds again."""
    store = memory_store(tmp_path, clock)

    def build_during_a_write():
        store.invalidate("essay")
        return "read before the write"

    assert store.fetch("k", build_during_a_write, tag="essay", ttl=60) == "read before the write"
    assert store.fetch("k", lambda: "after", tag="essay", ttl=60) == "after"


def test_another_process_invalidation_reaches_this_one_through_the_instance_folder(tmp_path, clock):
    here, there = memory_store(tmp_path, clock), memory_store(tmp_path, clock)
    here.fetch("page", lambda: "old", tag="essay", ttl=60)
    there.invalidate("essay")
    assert here.fetch("page", lambda: "new", tag="essay", ttl=60) == "new"


def test_redis_shares_values_and_invalidations_between_processes():
    from debate.cache.store import RedisBackend

    prefix = f"debate-test-{threading.get_ident()}-{id(object())}:"
    one = Store(RedisBackend("redis://127.0.0.1:6379/2", prefix))
    two = Store(RedisBackend("redis://127.0.0.1:6379/2", prefix))
    assert one.fetch("page", lambda: "old", tag="essay", ttl=60) == "old"
    assert two.fetch("page", lambda: "not built", tag="essay", ttl=60) == "old"
    two.invalidate("essay")
    assert one.fetch("page", lambda: "new", tag="essay", ttl=60) == "new"
    one.backend.client.flushdb()


def test_an_invalidation_redis_missed_is_sent_again_and_nothing_stale_is_read_meanwhile(
    monkeypatch,
):
    """An author closes voting while Redis hangs: the kept read model must not come
    back once Redis answers again, here or in any other process."""
    import redis

    from debate.cache.store import RedisBackend

    prefix = f"debate-test-{threading.get_ident()}-{id(object())}:"
    here = Store(RedisBackend("redis://127.0.0.1:6379/2", prefix, retry_seconds=0.05))
    there = Store(RedisBackend("redis://127.0.0.1:6379/2", prefix))
    assert there.fetch("debate", lambda: "voting open", tag="essay", ttl=60) == "voting open"
    sent = here.backend.invalidate_script
    hung = threading.Event()

    def as_redis_while_hung(**kwargs):
        if not hung.is_set():
            raise redis.TimeoutError("Timeout reading from socket")
        return sent(**kwargs)

    monkeypatch.setattr(here.backend, "invalidate_script", as_redis_while_hung)
    here.invalidate("essay")  # the write has committed; Redis did not take this
    assert here.undelivered() == {"essay"}
    # Meanwhile this process reads nothing from Redis: it builds.
    assert here.fetch("debate", lambda: "voting closed", tag="essay", ttl=60) == "voting closed"
    hung.set()  # Redis answers again
    deadline = time.monotonic() + 5
    while here.undelivered() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert here.undelivered() == set()
    assert there.fetch("debate", lambda: "voting closed", tag="essay", ttl=60) == "voting closed"
    here.backend.client.flushdb()


def test_an_unreachable_redis_serves_without_the_cache_at_once():
    from debate.cache.store import RedisBackend

    store = Store(RedisBackend("redis://127.0.0.1:9/0"))  # nothing listens on the discard port
    assert [store.fetch("k", lambda: "built", tag="t", ttl=60) for _ in range(2)] == [
        "built",
        "built",
    ]
    store.invalidate("t")  # logged, not raised
