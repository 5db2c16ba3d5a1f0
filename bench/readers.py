"""Readers for the vote rows, as the server would have issued them.

Each has a fresh id, the vote token a page would carry for it and the signed
cookie a browser holds after its first vote (both made with the run's shared
SECRET_KEY, as the app makes them), so every load-generator reader is one
distinct reader. Like a browser, each vote says it comes from the page's own
origin (`Sec-Fetch-Site: same-origin`).
"""

import secrets
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from debate.readers.identity import reader_cookie, reader_token


@dataclass(frozen=True)
class Voter:
    token: str  # url-encoded, ready for a form body
    cookie: str  # the debate_reader cookie's value


def new_voter(secret_key: str) -> Voter:
    reader_id = secrets.token_hex(16)
    return Voter(
        urllib.parse.quote(reader_token(secret_key, reader_id), safe=""),
        reader_cookie(secret_key, reader_id),
    )


def write_readers(path: Path, secret_key: str, count: int) -> Path:
    """`count` fresh readers for vote.lua, one "token<TAB>cookie" line each."""
    with open(path, "w") as out:
        for _ in range(count):
            voter = new_voter(secret_key)
            out.write(f"{voter.token}\t{voter.cookie}\n")
    return path
