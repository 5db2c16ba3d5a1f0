"""flask commands: `flask --app app debates load|list` and `flask --app app authors ...`."""

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from .cache.store import invalidate, store
from .core.content import ContentError, bundled_path, parse_file
from .store.accounts import AccountError, create_author, get_author, set_password
from .store.db import db
from .store.debates import save_debate
from .store.models import Author, DebateRow

debates_cli = AppGroup("debates", help="Load and list debates.")
authors_cli = AppGroup("authors", help="Create, list, reset and remove author accounts.")


@debates_cli.command("load")
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.option("--owner", metavar="EMAIL", help="The author who runs this debate.")
def load(file: str | None, owner: str | None) -> None:
    """Load the bundled essay, or FILE in the same format; loading again keeps votes."""
    path = file or bundled_path(current_app.config["BUNDLED_DEBATE"])
    try:
        author = get_author(db.session, owner) if owner else None
        content = parse_file(path)
    except (ContentError, AccountError) as error:
        raise click.ClickException(str(error)) from None
    debate, created = save_debate(db.session, content)
    if author is not None:
        debate.owner_id = author.id
    db.session.commit()
    _invalidate(debate.slug, created=created)
    verb = "Created" if created else "Updated"
    click.echo(
        f"{verb} debate '{debate.slug}': {len(debate.claims)} claims, "
        f"{len(debate.options)} answers to the closing question."
        + (f" Owner: {author.email}." if author else "")
    )


@debates_cli.command("list")
def list_debates() -> None:
    """List the debates in the database."""
    rows = db.session.execute(
        db.select(DebateRow, Author.email)
        .outerjoin(Author, DebateRow.owner_id == Author.id)
        .order_by(DebateRow.slug)
    )
    for debate, owner in rows:
        state = "open" if debate.voting_open else "closed"
        click.echo(f"{debate.slug}\t{state}\t{owner or '-'}\t{debate.title}")


def _password_option(prompt: str):
    return click.option(
        "--password",
        prompt=prompt,
        hide_input=True,
        confirmation_prompt=True,
        help="Asked for when not given.",
    )


@authors_cli.command("create")
@click.argument("email")
@_password_option("Password")
def create(email: str, password: str) -> None:
    """Create an author who can sign in at /sign-in."""
    try:
        author = create_author(db.session, email, password)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Created author {author.email}.")


@authors_cli.command("list")
def list_authors() -> None:
    """List authors and how many debates each owns."""
    rows = db.session.execute(
        db.select(Author.email, Author.created_at, db.func.count(DebateRow.id))
        .outerjoin(DebateRow, DebateRow.owner_id == Author.id)
        .group_by(Author.id)
        .order_by(Author.email)
    )
    for email, created_at, debates in rows:
        click.echo(
            f"{email}\t{debates} debate{'' if debates == 1 else 's'}\tsince {created_at:%Y-%m-%d}"
        )


@authors_cli.command("reset-password")
@click.argument("email")
@_password_option("New password")
def reset_password(email: str, password: str) -> None:
    """Give an author a new password."""
    try:
        set_password(get_author(db.session, email), password)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"New password set for {email.strip().lower()}.")


@authors_cli.command("remove")
@click.argument("email")
@click.confirmation_option(prompt="Remove this author? Their debates stay, without an owner.")
def remove(email: str) -> None:
    """Remove an author; their debates and votes stay, owned by nobody."""
    try:
        author = get_author(db.session, email)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    owned = db.session.scalars(db.select(DebateRow.slug).filter_by(owner_id=author.id)).all()
    db.session.execute(
        db.update(DebateRow).where(DebateRow.owner_id == author.id).values(owner_id=None)
    )
    db.session.delete(author)
    db.session.commit()
    for slug in owned:
        _invalidate(slug)
    click.echo(f"Removed author {author.email}.")


def _invalidate(slug: str, created: bool = False) -> None:
    """Drop what the debate's pages showed; a command ends before a retry could."""
    invalidate(slug, created=created)
    if store().undelivered():
        click.echo(
            "Warning: the shared cache (CACHE_REDIS_URL) did not answer: pages may show what "
            f"they showed before for up to {current_app.config['CACHE_DEBATE_SECONDS']} s.",
            err=True,
        )


def register(app: Flask) -> None:
    app.cli.add_command(debates_cli)
    app.cli.add_command(authors_cli)
