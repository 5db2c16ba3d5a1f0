"""The sites that may embed a debate: what an author may list, and what matches.

The browser enforces the list (Content-Security-Policy: frame-ancestors, set
on every embed response), so an entry must mean the same here as there: an
origin, `https://host[:port]`, or every subdomain of one, `https://*.host`.
Plain http is accepted for loopback hosts alone, where authors try things out.
"""

import ipaddress
import re

MAX_SITES = 20
MAX_SITE_LENGTH = 260
_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_SITE = re.compile(
    rf"^(?P<scheme>https?)://(?P<wildcard>\*\.)?(?P<host>{_LABEL}(?:\.{_LABEL})*)"
    r"(?::(?P<port>\d{1,5}))?$"
)
EXAMPLE = "https://blog.example.com"
_RULE = (
    f"a site is written as its address without a path, such as {EXAMPLE}, "
    "https://blog.example.com:8443 or https://*.example.com for every subdomain"
)


class SiteError(ValueError):
    """An entry that is not a site, and why, in words an author can act on."""


def parse_sites(text: str) -> tuple[str, ...]:
    """The sites in `text` (separated by spaces, commas or lines), normalised and
    without repeats; SiteError names the first entry that is not a site."""
    entries = [entry for entry in re.split(r"[\s,]+", text) if entry]
    if not entries:
        raise SiteError(f"List at least one site, such as {EXAMPLE}, or choose any site.")
    sites: list[str] = []
    for entry in entries:
        site = parse_site(entry)
        if site not in sites:
            sites.append(site)
    if len(sites) > MAX_SITES:
        raise SiteError(f"List at most {MAX_SITES} sites.")
    return tuple(sites)


def parse_site(entry: str) -> str:
    """One entry as the frame-ancestors source it stands for, lowercase."""
    shown = entry if len(entry) <= 80 else entry[:77] + "..."
    if entry in ("*", "'self'", "'none'", "https:", "http:"):
        raise SiteError(f"“{shown}” is not a site: to let every site embed, choose any site.")
    site = entry.lower()
    site = site[:-1] if site.endswith("/") else site
    match = _SITE.match(site) if len(site) <= MAX_SITE_LENGTH else None
    if match is None:
        if not site.isascii():
            raise SiteError(f"“{shown}” is not a site: write its name in its xn-- (ASCII) form.")
        if "://" not in site:
            raise SiteError(f"“{shown}” is not a site: start it with https://, as in {EXAMPLE}.")
        scheme, rest = site.split("://", 1)
        address = re.split(r"[/?#]", rest, maxsplit=1)[0]
        if address != rest and _SITE.match(f"{scheme}://{address}"):
            raise SiteError(f"“{shown}” has a path: list the site alone, as {scheme}://{address}.")
        raise SiteError(f"“{shown}” is not a site: {_RULE}.")
    host, port = match["host"], match["port"]
    if port is not None and not 0 < int(port) < 65536:
        raise SiteError(f"“{shown}” is not a site: its port must be between 1 and 65535.")
    if match["wildcard"] and "." not in host:
        raise SiteError(f"“{shown}” is too broad: a wildcard needs a domain, as *.example.com.")
    if match["scheme"] == "http" and not _loopback(host):
        raise SiteError(f"“{shown}” is not a site: use https:// (plain http only on loopback).")
    return site


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def site_allows(listed: str, origin: str) -> bool:
    """Does the listed site cover this origin (scheme://host[:port]), as a
    frame-ancestors source would? Default ports are written or not, alike."""
    wanted, given = _parts(listed), _parts(origin.lower())
    if wanted is None or given is None:
        return False
    (scheme, host, port), (o_scheme, o_host, o_port) = wanted, given
    host_matches = o_host.endswith(host[1:]) if host.startswith("*.") else o_host == host
    return scheme == o_scheme and host_matches and port == o_port


def _parts(site: str) -> tuple[str, str, int] | None:
    match = _SITE.match(site)
    if match is None:
        return None
    scheme = match["scheme"]
    port = int(match["port"]) if match["port"] else (443 if scheme == "https" else 80)
    return scheme, (match["wildcard"] or "") + match["host"], port
