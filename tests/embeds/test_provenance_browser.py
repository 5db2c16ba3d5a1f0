"""In Chromium, a vote from an embed records the site that framed it: the frame's
script reads the framing page's origin, plain frames and WordPress's sandbox alike."""

import pytest
from test_embed_browser import agree_in_a_blogs_frame

from debate.store.db import db
from debate.store.models import Vote

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("sandbox", ["", 'sandbox="allow-scripts"'], ids=["framed", "sandboxed"])
def test_an_embedded_vote_records_the_framing_sites_origin(live_server, app, sandbox):
    blog_origin = agree_in_a_blogs_frame(live_server, sandbox)
    with app.app_context():
        assert db.session.execute(db.select(Vote.site)).scalars().all() == [blog_origin]
