"""The debate page's three vote endpoints: a plain form POST is answered with a
303 back to the item's anchor, an htmx one with the item's partial alone."""

from flask import Blueprint, url_for

from .ballots import Ballot, add_vote_routes, answer

bp = Blueprint("voting", __name__, url_prefix="/debates/<slug>")


def _back_to_page(ballot: Ballot):
    return answer(ballot, url_for("pages.debate", slug=ballot.debate.slug, _anchor=ballot.anchor))


add_vote_routes(bp, _back_to_page)
