"""What a reader's first visit downloads: the page and the CSS and JS it links.

The app sends no Content-Encoding itself (a proxy in front would), so each
file is gzipped here at level 6, the usual proxy default; sizes are in
kB of 1,000 bytes.
"""

import gzip
import re
import urllib.request
from urllib.parse import urljoin

ASSET = re.compile(r'<(?:link[^>]+rel="stylesheet"[^>]+href|script[^>]+src)="([^"]+)"')


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


def first_load(page_url: str) -> dict[str, int]:
    """Compressed bytes per file of a first visit, the page first."""
    html = fetch(page_url)
    files = {page_url: html}
    for href in ASSET.findall(html.decode()):
        url = urljoin(page_url, href)
        files[url] = fetch(url)
    return {url: len(gzip.compress(body, 6)) for url, body in files.items()}
