"""Shared helpers for tests that drive Debian's Chromium through Playwright."""

import shutil
import threading
import time
from pathlib import Path

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_SCRIPT = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"


class LiveServer:
    """The app served on a loopback port from a thread of the test process."""

    def __init__(self, app, host: str = "127.0.0.1"):
        self.server = make_server(host, 0, app, threaded=True)
        # Wait for requests in flight at shutdown, so none writes into the next test.
        self.server.daemon_threads = False
        self.url = f"http://{host}:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *_exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


class OtherSite:
    """A page on another site (a blog, a host that frames the poll), served at /post from
    a thread of the test process."""

    def __init__(self, host: str, page: str):
        self.page = page
        self.server = make_server(host, 0, self.app, threaded=True)
        self.origin = f"http://{host}:{self.server.server_port}"
        self.url = f"{self.origin}/post"

    @Request.application
    def app(self, _request):
        return Response(self.page, mimetype="text/html")

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_exc):
        self.server.shutdown()
        self.server.server_close()


def page_recording_errors(browser, url: str, width: int = 1280, **context_options):
    """A new browser context opened on `url`; page.errors collects script and console
    errors (a CSP violation is one), for the test to assert there are none."""
    context = browser.new_context(viewport={"width": width, "height": 900}, **context_options)
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and page.errors.append(message.text))
    page.goto(url)
    return page


def axe_violations(page, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core on the page; return the violations of the given impacts."""
    page.add_script_tag(path=str(AXE_SCRIPT))
    result = page.evaluate("async () => await axe.run(document)")
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in impacts
    ]


def assert_frame_fits(iframe, clamp: tuple[int, int] | None = None) -> None:
    """The frame is as tall as the poll inside it (WordPress's clamp applied), and
    nothing of the poll is left below it, behind a scroll inside the frame."""
    frame = iframe.element_handle().content_frame()
    deadline = time.monotonic() + 10
    while True:
        outer = iframe.evaluate("frame => frame.getBoundingClientRect().height")
        inner, scrolled = frame.evaluate(
            "[document.documentElement.getBoundingClientRect().height,"
            " document.documentElement.scrollHeight - window.innerHeight]"
        )
        wanted = min(max(inner, clamp[0]), clamp[1]) if clamp else inner
        if abs(outer - wanted) <= 2 and scrolled <= 1:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"a frame {outer} px tall for a poll of {inner} px")
        time.sleep(0.1)
