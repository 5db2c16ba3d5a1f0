"""The floor: a bare WSGI app, so ratios show what gunicorn itself costs."""

BODY = b"Hello, world!"


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(BODY)))])
    return [BODY]
