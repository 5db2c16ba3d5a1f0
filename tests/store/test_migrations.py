"""The migrations build exactly the schema the models describe, on both databases."""

import uuid
from datetime import datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, event, inspect, text

from debate.store.db import UNHURRIED, db, without_deadlines
from debate.store.models import Vote
from helpers import POSTGRES_URL, make_app


@pytest.fixture
def empty_database_uri(tmp_path):
    """A brand-new database: a file on SQLite, a throwaway database on PostgreSQL."""
    if not POSTGRES_URL:
        yield f"sqlite:///{tmp_path / 'migrations.sqlite'}"
        return
    name = f"debate_migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield POSTGRES_URL.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def test_upgrade_builds_the_models_schema_and_downgrade_removes_it(empty_database_uri):
    app = make_app(empty_database_uri)
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, db.metadata) == []
        downgrade(revision="base")
        assert inspect(db.engine).get_table_names() == ["alembic_version"]
        db.engine.dispose()


def test_embedding_sites_keep_a_content_files_list_and_any_site_otherwise(empty_database_uri):
    """0010: a debate whose content file listed sites stays limited to them; every
    other one keeps letting any site embed it. Downgraded, a list that any site
    overrode is dropped, so it does not start to limit the embeds."""
    app = make_app(empty_database_uri)
    insert = text(
        "INSERT INTO debates (slug, title, lede, context_html, conclusion_html, question_text,"
        " voting_open, created_at, updated_at, embed_allowed_sites)"
        " VALUES (:slug, 't', '', '', '', '?', :yes, :now, :now, :sites)"
    )
    with app.app_context():
        upgrade(revision="0009")
        with db.engine.begin() as connection:
            for slug, sites in (("listed", "https://blog.example.com"), ("anyone", "")):
                values = {"slug": slug, "sites": sites, "yes": True, "now": "2026-11-30 12:00:00"}
                connection.execute(insert, values)
        upgrade(revision="0010")
        read = text("SELECT slug, embed_any_site, embed_allowed_sites FROM debates ORDER BY slug")
        with db.engine.begin() as connection:
            assert [tuple(row) for row in connection.execute(read)] == [
                ("anyone", True, ""),
                ("listed", False, "https://blog.example.com"),
            ]
            connection.execute(text("UPDATE debates SET embed_any_site = :yes"), {"yes": True})
        downgrade(revision="0009")
        read = text("SELECT slug, embed_allowed_sites FROM debates ORDER BY slug")
        with db.engine.begin() as connection:
            assert [tuple(row) for row in connection.execute(read)] == [
                ("anyone", ""),
                ("listed", ""),
            ]
        db.engine.dispose()


def insert_debate(connection) -> None:
    """Debate 1, as the migrations of 0010 to 0012 left the table."""
    connection.execute(
        text(
            "INSERT INTO debates (id, slug, title, lede, context_html, conclusion_html,"
            " question_text, voting_open, created_at, updated_at)"
            " VALUES (1, 'd', 'D', '', '', '', '?', true, :at, :at)"
        ),
        {"at": datetime(2026, 11, 1)},
    )


def test_votes_cast_before_provenance_keep_the_hour_of_their_last_change(empty_database_uri):
    """0011 on a database with votes: unknown site and network, the hour of the last change."""
    app = make_app(empty_database_uri)
    with app.app_context():
        upgrade(revision="0010")
        with db.engine.begin() as connection:
            insert_debate(connection)
            connection.execute(
                text(
                    "INSERT INTO votes (debate_id, kind, item_key, reader_id, choice, created_at,"
                    " updated_at) VALUES (1, 'claim', 'k', 'r', 'agree', :created, :updated)"
                ),
                {
                    "created": datetime(2026, 11, 2, 9, 5),
                    "updated": datetime(2026, 11, 3, 17, 59, 59),
                },
            )
        upgrade()
        vote = db.session.execute(db.select(Vote.site, Vote.network, Vote.cast_hour)).one()
        assert tuple(vote) == ("", "", datetime(2026, 11, 3, 17))
        db.session.close()
        downgrade(revision="base")
        db.engine.dispose()


def test_0013_puts_each_reader_s_stances_on_their_votes(empty_database_uri):
    """0013 on a database with votes: every vote carries its reader's stance
    answers, as cast_vote keeps them from then on."""
    app = make_app(empty_database_uri)
    with app.app_context():
        upgrade(revision="0012")
        with db.engine.begin() as connection:
            insert_debate(connection)
            for reader, before, after in (("r1", "open", "closed"), ("r2", None, "open")):
                connection.execute(
                    text(
                        "INSERT INTO debate_readers (debate_id, reader_id, first_vote_at,"
                        " stance_before, stance_after) VALUES (1, :r, :at, :before, :after)"
                    ),
                    {"r": reader, "at": datetime(2026, 11, 2), "before": before, "after": after},
                )
                connection.execute(
                    text(
                        "INSERT INTO votes (debate_id, kind, item_key, reader_id, choice,"
                        " created_at, updated_at, cast_hour)"
                        " VALUES (1, 'claim', 'k', :r, 'agree', :at, :at, :at)"
                    ),
                    {"r": reader, "at": datetime(2026, 11, 2)},
                )
        upgrade()
        carried = db.session.execute(
            db.select(Vote.reader_id, Vote.stance_before, Vote.stance_after).order_by(
                Vote.reader_id
            )
        ).all()
        assert [tuple(row) for row in carried] == [("r1", "open", "closed"), ("r2", None, "open")]
        db.session.close()
        downgrade(revision="base")
        db.engine.dispose()


def test_migrations_run_without_the_requests_deadlines(empty_database_uri):
    """A migration may index or rewrite a million votes, longer than a request's
    statement may take: none of its statements is put under a deadline (and on
    PostgreSQL statement_timeout is off for its transaction)."""
    app = make_app(empty_database_uri)
    unhurried = []
    with app.app_context():
        listen = lambda conn, *_: unhurried.append(bool(conn.info.get(UNHURRIED)))  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listen)
        upgrade()
        event.remove(db.engine, "before_cursor_execute", listen)
        db.engine.dispose()
    assert unhurried and all(unhurried)


def test_without_deadlines_holds_only_its_transaction(database_uri):
    app = make_app(database_uri)
    with app.app_context(), db.engine.connect() as connection:
        with connection.begin():
            with without_deadlines(connection):
                assert connection.info.get(UNHURRIED)
                if POSTGRES_URL:
                    timeout = connection.exec_driver_sql("SHOW statement_timeout").scalar()
                    assert timeout == "0"
            assert not connection.info.get(UNHURRIED)
        if POSTGRES_URL:
            assert connection.exec_driver_sql("SHOW statement_timeout").scalar() == "10s"
