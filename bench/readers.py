"""Readers for the vote rows: a page's vote token each, and a fresh id.

A token comes from GETting the page, like a browser's first visit; it is
good on every server of the run because they share SECRET_KEY. The reader id
is what makes a reader distinct (it is the `debate_reader` cookie a browser
holds after its first vote), so every load-generator call gets ids nobody
has voted with yet. Like a browser, each vote says it comes from the page's
own origin (`Sec-Fetch-Site: same-origin`), which lets a page's token vote
for the reader the cookie names.
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
class Page:
    csrf: str  # the page's vote token, url-encoded, ready for a form body


def visit(page_url: str) -> Page:
    with urllib.request.urlopen(page_url, timeout=10) as response:
        html = response.read().decode()
    return Page(urllib.parse.quote(TOKEN.search(html).group(1), safe=""))


def pages(page_url: str, count: int) -> list[Page]:
    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(visit, [page_url] * count))


def new_reader_id() -> str:
    return secrets.token_hex(16)


def write_readers(path: Path, pool: list[Page], count: int) -> Path:
    """`count` fresh readers for vote.lua, one "csrf<TAB>reader" line each."""
    with open(path, "w") as out:
        for i in range(count):
            out.write(f"{pool[i % len(pool)].csrf}\t{new_reader_id()}\n")
    return path
