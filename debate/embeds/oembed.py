"""oEmbed, for sites that discover a poll's embed from its URL."""

from collections.abc import Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, request, url_for
from werkzeug.exceptions import HTTPException

from ..cache.store import debate_or_404
from .snippets import DEFAULT_WIDTH, HEIGHT_MODELS, embeds_for

bp = Blueprint("oembed", __name__)
MAX_WIDTH = 1200


@bp.get("/oembed")
def oembed():
    """oEmbed 1.0: a `rich` answer for a debate or embed URL of this site."""
    if request.args.get("format", "json") != "json":
        abort(501, description="Only the json oEmbed format is offered.")
    endpoint, args = _route_of(request.args.get("url", ""))
    debate = debate_or_404(args["slug"])
    embed = next(
        (e for e in embeds_for(debate) if e.url == url_for(endpoint, **args, _external=True)), None
    )
    if embed is None:
        abort(404, description="There is no embeddable poll at that address.")
    # As wide as the consumer's column allows (up to a page's), and as tall as the
    # poll then is: a frame that grows as its content does is WordPress's and ours.
    theme = request.args.get("theme")
    if theme in ("light", "dark"):  # for sites that set their own colours
        embed = replace(embed, url=f"{embed.url}?theme={theme}")
    width = _bounded("maxwidth", MAX_WIDTH, default=DEFAULT_WIDTH)
    height = min(embed.height_at(width), _bounded("maxheight", 100_000))
    return {
        "version": "1.0",
        "type": "rich",
        "provider_name": "debate",
        "provider_url": request.host_url,
        "title": embed.title,
        "html": str(embed.snippet()),
        "width": width,
        "height": height,
    }


def _route_of(url: str) -> tuple[str, Mapping[str, Any]]:
    """Which embeddable view a URL of this site names (the debate page embeds whole)."""
    try:
        parts = urlsplit(url)
    except ValueError:  # not a URL at all ("http://[::1/")
        abort(404, description="That address is not a poll on this site.")
    if parts.scheme not in ("http", "https") or parts.netloc != request.host:
        abort(404, description="That address is not a poll on this site.")
    try:
        endpoint, args = current_app.url_map.bind(request.host).match(parts.path, "GET")
    except HTTPException:
        abort(404, description="That address is not a poll on this site.")
    endpoint = "embed.debate" if endpoint == "pages.debate" else endpoint
    if endpoint not in HEIGHT_MODELS:
        abort(404, description="That address is not a poll on this site.")
    return endpoint, args


def _bounded(name: str, most: int, default: int | None = None) -> int:
    try:
        value = int(request.args.get(name, most if default is None else default))
    except ValueError:
        abort(400, description=f"{name} must be a whole number of pixels.")
    return max(100, min(most, value))
