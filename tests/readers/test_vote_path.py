"""A vote passes through a handful of modules (docs/architecture.md lists them)."""

import sys
from pathlib import Path

import debate
from helpers import Reader

PACKAGE = Path(debate.__file__).parent
# The modules a vote touches once its debate is kept, in the order of its path.
VOTE_PATH = {
    "cache/responses.py",
    "web/security.py",
    "readers/ballots.py",
    "readers/identity.py",
    "web/limits.py",
    "cache/store.py",
    "store/db.py",
    "store/votes.py",
    "core/tally.py",
}


def modules_called(work) -> set[str]:
    called = set()

    def profile(frame, event, _arg):
        if event == "call":
            path = Path(frame.f_code.co_filename)
            if path.is_relative_to(PACKAGE):
                called.add(path.relative_to(PACKAGE).as_posix())

    sys.setprofile(profile)
    try:
        work()
    finally:
        sys.setprofile(None)
    return called


def test_a_vote_touches_at_most_nine_modules_of_the_package(app_caching_for):
    app = app_caching_for(1)
    reader = Reader(app.test_client())
    reader.open()
    assert reader.vote_claim("customization", "agree", htmx=True).status_code == 200
    called = modules_called(lambda: reader.vote_claim("customization", "disagree", htmx=True))
    assert called == VOTE_PATH
    plain = modules_called(lambda: reader.vote_claim("customization", "unsure"))
    assert plain <= VOTE_PATH
