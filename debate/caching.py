"""A short cache for what every reader polls: the rendered results panel and its ETag.

A burst of readers polling the same debate costs one render a second per
cache instead of one per request, and a reader whose copy is current gets a
304 without the database being asked. Results may be a second old; a
reader's own vote shows at once in the item they voted on.
"""

import hashlib
from collections.abc import Callable

from flask import current_app
from flask_caching import Cache

cache = Cache()


def etag_of(body: str) -> str:
    return hashlib.blake2b(body.encode(), digest_size=12).hexdigest()


def cached_render(key: str, render: Callable[[], str]) -> tuple[str, str]:
    """(etag, body) for `key`, rendered at most once per RESULTS_CACHE_SECONDS."""
    seconds = current_app.config["RESULTS_CACHE_SECONDS"]
    if seconds > 0:
        hit = cache.get(key)
        if hit is not None:
            return hit
    body = render()
    value = (etag_of(body), body)
    if seconds > 0:
        cache.set(key, value, timeout=seconds)
    return value
