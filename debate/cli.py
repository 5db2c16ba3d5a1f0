"""flask commands: `flask --app app debates load [FILE]`."""

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from .content import ContentError, bundled_path, parse_file
from .db import db
from .loading import save_debate

debates_cli = AppGroup("debates", help="Load and list debates.")


@debates_cli.command("load")
@click.argument("file", required=False, type=click.Path(dir_okay=False))
def load(file: str | None) -> None:
    """Load the bundled essay, or FILE in the same format; loading again keeps votes."""
    path = file or bundled_path(current_app.config["BUNDLED_DEBATE"])
    try:
        content = parse_file(path)
    except ContentError as error:
        raise click.ClickException(str(error)) from None
    debate, created = save_debate(db.session, content)
    db.session.commit()
    verb = "Created" if created else "Updated"
    click.echo(f"{verb} debate '{debate.slug}': {len(debate.claims)} claims, "
               f"{len(debate.options)} answers to the closing question.")


@debates_cli.command("list")
def list_debates() -> None:
    """List the debates in the database."""
    from .models import Debate

    for debate in db.session.scalars(db.select(Debate).order_by(Debate.slug)):
        state = "open" if debate.voting_open else "closed"
        click.echo(f"{debate.slug}\t{state}\t{debate.title}")


def register(app: Flask) -> None:
    app.cli.add_command(debates_cli)
