"""Every error is a readable page, or a message fragment for htmx; never a trace."""

import logging

from flask import Flask, current_app, render_template, request
from flask.globals import request_ctx
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import (
    HTTPException,
    InternalServerError,
    ServiceUnavailable,
)

from ..cache.responses import wants_fragment
from ..store.db import db

log = logging.getLogger(__name__)

TITLES = {
    400: "That request could not be understood",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "That changed while you voted",
    413: "That request is too large",
    429: "Too many requests",
    500: "Something went wrong",
    503: "Temporarily unavailable",
}


def render_error(error: HTTPException):
    code = error.code or 500
    context = {"code": code, "title": TITLES.get(code, error.name), "message": error.description}
    # Keep what the error says about itself (Allow, Retry-After), drop its body's type.
    headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
    if request_ctx.url_adapter is None:
        # The Host header was refused (TRUSTED_HOSTS): no page can be built for it.
        return (
            f"{context['title']}. {error.description}\n",
            code,
            {**headers, "Content-Type": "text/plain; charset=utf-8"},
        )
    if request.blueprint == "api":
        body = {"error": context["title"], "message": error.description, "status": code}
        return body, code, headers
    if wants_fragment():
        template = "errors/_message.html"
        # The message goes to the page's alert region, not into the clicked item.
        headers.update({"HX-Retarget": "#flash", "HX-Reswap": "innerHTML"})
    else:
        template = "errors/page.html"
    return render_template(template, **context), code, headers


def handle_too_large(error: HTTPException):
    """Whoever noticed the size (this app or the form parser), say what the limit is."""
    error.description = (
        f"A request body may be at most {current_app.config['MAX_CONTENT_LENGTH']:,} bytes."
    )
    return render_error(error)


def handle_csrf(error: CSRFError):
    error.description = (
        "Your session has expired or the form was not sent from this site. "
        "Reload the page and try again."
    )
    return render_error(error)


def handle_database_down(error: OperationalError):
    log.error("database unavailable: %s", error.orig)
    db.session.rollback()
    unavailable = ServiceUnavailable(
        "The poll cannot reach its database right now, so what you just did may not "
        "have been saved. Please try again in a moment."
    )
    unavailable.retry_after = 5
    return render_error(unavailable)


def handle_unexpected(error: Exception):
    log.exception("unhandled error")
    return render_error(InternalServerError("An unexpected error occurred. Please try again."))


def register(app: Flask) -> None:
    app.register_error_handler(413, handle_too_large)
    app.register_error_handler(CSRFError, handle_csrf)
    app.register_error_handler(HTTPException, render_error)
    app.register_error_handler(OperationalError, handle_database_down)
    app.register_error_handler(Exception, handle_unexpected)
