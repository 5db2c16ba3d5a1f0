"""The authors' dashboard under load: the bench's author signs in over HTTP, and
one full recomputation of a debate's analysis is timed in this process."""

import http.cookiejar
import re
import time
import urllib.parse
import urllib.request
from statistics import median

AUTHOR, PASSWORD = "bench@example.org", "a bench password"
PREPARE = [
    ["authors", "create", AUTHOR, "--password", PASSWORD],
    ["debates", "load", "--owner", AUTHOR],
]


def session_cookie(base_url: str) -> str:
    """Sign in through the form; the Cookie header a browser would then send."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(f"{base_url}/sign-in", timeout=10) as response:
        token = re.search(r'name="csrf_token" value="([^"]+)"', response.read().decode()).group(1)
    form = urllib.parse.urlencode({"email": AUTHOR, "password": PASSWORD, "csrf_token": token})
    with opener.open(f"{base_url}/sign-in", form.encode(), timeout=10):
        pass
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


def etag(url: str, cookie: str) -> str:
    request = urllib.request.Request(url, headers={"HX-Request": "true", "Cookie": cookie})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.headers["ETag"]


def recomputation_seconds(database_url: str, slug: str, runs: int = 3) -> float:
    """The median time of counting a debate's votes and analysing them, as one
    process does for every dashboard at most once per poll interval."""
    from debate import create_app
    from debate.authors.dashboard import segment_rule
    from debate.cache.store import debate_or_404
    from debate.store.analyses import compute
    from debate.store.db import db
    from debate.web.config import normalise_database_url

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
            "SECRET_KEY": "bench",
        }
    )
    times = []
    with app.test_request_context():
        debate = debate_or_404(slug)
        for _ in range(runs):
            start = time.perf_counter()
            compute(db.session, debate, segment_rule())
            times.append(time.perf_counter() - start)
    return median(times)
