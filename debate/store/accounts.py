"""Author accounts: the plain functions behind `flask authors ...` and sign-in.

There is no public sign-up: accounts are made on the command line by someone
who can already reach the server. Passwords are stored as werkzeug's scrypt
hashes, never as text.
"""

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from .db import DbSession
from .models import Author

MIN_PASSWORD_LENGTH = 12
# Checked against when the email is unknown, so a wrong email costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not a password of anyone", method="scrypt")


class AccountError(ValueError):
    """A request about accounts that cannot be done; the message says why."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"A password needs at least {MIN_PASSWORD_LENGTH} characters.")


def find_author(session: DbSession, email: str) -> Author | None:
    return session.scalars(
        select(Author).where(Author.email == normalise_email(email))
    ).one_or_none()


def get_author(session: DbSession, email: str) -> Author:
    author = find_author(session, email)
    if author is None:
        raise AccountError(f"There is no author with the email {normalise_email(email)}.")
    return author


def create_author(session: DbSession, email: str, password: str) -> Author:
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise AccountError(f"{email!r} is not an email address.")
    if find_author(session, email) is not None:
        raise AccountError(f"An author with the email {email} already exists.")
    check_new_password(password)
    author = Author(email=email, password_hash=generate_password_hash(password, method="scrypt"))
    session.add(author)
    session.flush()
    return author


def set_password(author: Author, password: str) -> None:
    """A new password ends every session signed in with the old one."""
    check_new_password(password)
    author.password_hash = generate_password_hash(password, method="scrypt")
    author.end_sessions()


def authenticate(session: DbSession, email: str, password: str) -> Author | None:
    """The author with this email and password, or None; as slow either way."""
    author = find_author(session, email)
    if author is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return author if check_password_hash(author.password_hash, password) else None
