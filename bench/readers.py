"""Readers for the vote rows: a real session and CSRF token each, and a fresh id.

A session comes from GETting the page, like a browser's first visit; its
token is good on every server of the run because they share SECRET_KEY. The
reader id is what makes a reader distinct (it is the `debate_reader` cookie),
so every load-generator call gets ids nobody has voted with yet.
"""

import re
import secrets
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


@dataclass(frozen=True)
class Session:
    cookie: str  # the value of the `session` cookie
    csrf: str  # url-encoded, ready for a form body


def visit(page_url: str) -> Session:
    with urllib.request.urlopen(page_url, timeout=10) as response:
        html = response.read().decode()
        cookies = response.headers.get_all("Set-Cookie") or []
    cookie = next(c.split(";", 1)[0].split("=", 1)[1] for c in cookies
                  if c.startswith("session="))
    return Session(cookie, urllib.parse.quote(TOKEN.search(html).group(1), safe=""))


def sessions(page_url: str, count: int) -> list[Session]:
    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(visit, [page_url] * count))


def new_reader_id() -> str:
    return secrets.token_hex(16)


def write_readers(path: Path, pool: list[Session], count: int) -> Path:
    """`count` fresh readers for vote.lua, one "session<TAB>csrf<TAB>reader" line each."""
    with open(path, "w") as out:
        for i in range(count):
            session = pool[i % len(pool)]
            out.write(f"{session.cookie}\t{session.csrf}\t{new_reader_id()}\n")
    return path
