"""CORS for frames sandboxed without an origin of their own.

WordPress frames an untrusted provider with `sandbox="allow-scripts"`: the poll's
requests from there say `Origin: null`, and the browser reads their answers only
if CORS allows that origin. Three kinds of request need it, and nothing else does:
the embeds' votes (readers/ballots.py proves them with the vote token), a new
reader's proof-of-work challenge (readers/proof.py) and the results panel the poll
refreshes (public: the same for every reader, no cookie).
"""

from flask import Response

SANDBOXED = "null"
# What htmx sends with its requests, which a cross-origin request must be allowed to
# send, and what it reads of the answer.
HTMX_REQUEST_HEADERS = (
    "Content-Type, HX-Request, HX-Request-Type, HX-Current-URL, HX-Source, HX-Target, X-CSRFToken"
)
HTMX_RESPONSE_HEADERS = "HX-Trigger, HX-Retarget, HX-Reswap, HX-Redirect"


def allow_sandboxed_frames(response: Response, methods: str, credentials: bool = False) -> Response:
    """Let a frame with an opaque origin call `methods` and read the answer; with
    `credentials`, as its reader: the frame's cookie goes with the request and the
    cookie a first vote sets is kept (partitioned by the embedding site). That is
    safe for the embeds' votes alone: each must carry the vote token of the very
    reader its cookie names, which no other site can read off the frame."""
    if credentials:
        response.headers["Access-Control-Allow-Credentials"] = "true"
    response.headers["Access-Control-Allow-Origin"] = SANDBOXED
    response.headers["Access-Control-Allow-Methods"] = methods
    response.headers["Access-Control-Allow-Headers"] = HTMX_REQUEST_HEADERS
    response.headers["Access-Control-Expose-Headers"] = HTMX_RESPONSE_HEADERS
    response.headers["Access-Control-Max-Age"] = "600"
    return response
