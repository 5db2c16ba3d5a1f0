"""The one place that decides whether a request wants a fragment."""

from flask import request
from werkzeug.wrappers import Response


def wants_fragment() -> bool:
    """An htmx request that swaps a fragment in place.

    History restores also carry HX-Request but need the whole page, so the
    Back button never shows a bare fragment.
    """
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def vary_on_htmx(response: Response) -> Response:
    """after_request: a URL answers with a page or a fragment, so caches must know."""
    if response.mimetype == "text/html":
        response.vary.add("HX-Request")
    return response
