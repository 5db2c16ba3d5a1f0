"""`flask debates load`: idempotent, keeps votes, refuses malformed files whole."""

from sqlalchemy import select

from debate.core.content import bundled_path
from debate.store.db import db
from debate.store.models import ClaimRow, DebateRow
from helpers import api_results, make_app, reset_database


def test_load_is_idempotent_and_keeps_votes(app, runner, new_reader):
    reader = new_reader()
    reader.vote_claim("accountability", "agree")
    reader.answer("coexistence")
    before = api_results(reader.client)
    first = runner.invoke(args=["debates", "load"])
    second = runner.invoke(args=["debates", "load"])
    assert first.exit_code == 0 and second.exit_code == 0
    assert "Updated debate 'open-vs-closed-ai': 7 claims, 4 answers" in second.output
    assert api_results(reader.client) == before
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(DebateRow)) == 1


def test_reload_with_reordered_and_edited_claims_keeps_votes_by_key(
    app, runner, tmp_path, new_reader
):
    new_reader().vote_claim("accountability", "disagree")
    text = bundled_path("open-vs-closed-ai").read_text()
    accountability = text[text.index("### Accountability") : text.index("## Where Things Stand")]
    edited = text.replace(accountability, "").replace(
        "### Safety and alignment",
        accountability.replace("diffuse and murky", "diffuse and unclear")
        + "### Safety and alignment",
    )
    path = tmp_path / "edited.md"
    path.write_text(edited)
    result = runner.invoke(args=["debates", "load", str(path)])
    assert result.exit_code == 0, result.output
    results = api_results(app.test_client())
    assert results["claims"][4]["key"] == "accountability"
    assert results["claims"][4]["disagree"] == 1
    with app.app_context():
        claim = db.session.execute(select(ClaimRow).filter_by(key="accountability")).scalar_one()
        assert "diffuse and unclear" in claim.text_html


def test_malformed_file_is_refused_naming_file_and_line_and_changes_nothing(app, runner, tmp_path):
    text = bundled_path("open-vs-closed-ai").read_text()
    broken = text.replace("open-vs-closed-ai", "a-new-debate").replace(
        "{claim=customization}", "{claim=Customization!}"
    )
    path = tmp_path / "broken.md"
    path.write_text(broken)
    result = runner.invoke(args=["debates", "load", str(path)])
    assert result.exit_code == 1
    line = text[: text.index("{claim=customization}")].count("\n") + 1
    assert f"{path}: line {line}: claim key 'Customization!'" in result.output
    with app.app_context():
        slugs = db.session.scalars(select(DebateRow.slug)).all()
    assert slugs == ["open-vs-closed-ai"]


def test_load_of_a_missing_file_says_so(runner, tmp_path):
    result = runner.invoke(args=["debates", "load", str(tmp_path / "nope.md")])
    assert result.exit_code == 1
    assert "nope.md: file: cannot be read" in result.output


def test_load_warns_when_the_shared_cache_does_not_answer(database_uri):
    app = make_app(database_uri, CACHE_REDIS_URL="redis://127.0.0.1:9/0")  # nothing listens
    reset_database(app)
    result = app.test_cli_runner().invoke(args=["debates", "load"])
    assert result.exit_code == 0
    assert "Updated debate" in result.output
    assert "the shared cache (CACHE_REDIS_URL) did not answer" in result.stderr
