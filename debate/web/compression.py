"""Compression: Flask-Compress picks the encoding a client accepts (brotli, else
gzip) and encodes, in one hook (`encode`), for every response: those Flask
draws and those the response layer serves.

A strong ETag gets the encoding added (`"abc:br"`), a weak one stays the same
for every encoding; If-None-Match still gets a 304, and every response says
`Vary: Accept-Encoding`. Tiny bodies and types that are already compressed
(PNG) go as they are.
"""

from flask import Flask, Response, request
from flask_compress import Compress

compress = Compress()

DEFAULTS = {
    # Only what compresses well: HTML, CSS, JavaScript, JSON (the API, oEmbed), SVG.
    "COMPRESS_MIMETYPES": [
        "text/html",
        "text/css",
        "text/javascript",
        "application/javascript",
        "application/json",
        "image/svg+xml",
    ],
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    # Brotli's quality 5: smaller than gzip's level 6 on our CSS and htmx, and no slower.
    "COMPRESS_BR_LEVEL": 5,
    # Static files are streamed from disk; compress them with the same two.
    "COMPRESS_ALGORITHM_STREAMING": ["br", "gzip"],
    "COMPRESS_MIN_SIZE": 512,  # below that, the headers weigh more than the saving
    "COMPRESS_REGISTER": False,  # `encode` is the hook, for Flask and the response layer
}


def init_compression(app: Flask) -> None:
    """Configure the library and register `encode`: first, so it runs after every
    other after_request hook, on the finished body and headers."""
    for name, value in DEFAULTS.items():
        app.config.setdefault(name, value)
    compress.init_app(app)
    app.after_request(encode)


def encode(response: Response) -> Response:
    """The response as the current request's client accepts it (a request
    context is needed), answered 304 if the client holds its ETag.

    A static file is read into memory first: the library's streaming path would
    compress the file without ever closing it (and offers no gzip); ours are a
    few dozen KiB.
    """
    if (
        request.endpoint == "static"
        and response.status_code == 200
        and response.mimetype in compress.compress_mimetypes_set
    ):
        response.direct_passthrough = False
        response.make_sequence()  # keeps the file's close for the response's end
    return compress.after_request(response)
