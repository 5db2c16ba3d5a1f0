"""The forms authors fill in: signing in, running the poll, who may embed it,
resetting votes, setting votes aside.

CSRF is checked for every POST by CSRFProtect, so these forms only validate
their own fields.
"""

import re
from datetime import datetime

from wtforms import EmailField, PasswordField, StringField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Length, ValidationError

from ..core.debate import EXCLUSION_KINDS, NETWORK, RESULTS_VISIBILITIES, SITE, WINDOW
from ..core.embedding import SiteError, parse_sites
from ..readers.ballots import embedding_site
from ..web.forms import FieldsForm

_VISIBILITY_RULE = f"visibility must be one of: {', '.join(RESULTS_VISIBILITIES)}."


class SignInForm(FieldsForm):
    email = EmailField("Email", validators=[InputRequired("Enter your email."), Length(max=254)])
    password = PasswordField(
        "Password", validators=[InputRequired("Enter your password."), Length(max=1024)]
    )


class VotingForm(FieldsForm):
    voting = StringField(
        validators=[
            InputRequired("voting must be open or closed."),
            AnyOf(["open", "closed"], message="voting must be open or closed."),
        ]
    )


class VisibilityForm(FieldsForm):
    """The choices are drawn as radio buttons by the template, from VISIBILITY_LABELS."""

    visibility = StringField(
        validators=[
            InputRequired(_VISIBILITY_RULE),
            AnyOf(RESULTS_VISIBILITIES, message=_VISIBILITY_RULE),
        ]
    )


ANY_SITE, LISTED_SITES = "any", "listed"
_EMBEDDING_RULE = "embedding must be any (any site) or listed (only the sites listed)."


class EmbeddingForm(FieldsForm):
    """Who may frame the embeds: any site, or only the sites listed. Entries are
    held to core/embedding.py's rule even with any site, since the list is kept."""

    embedding = StringField(
        validators=[
            InputRequired(_EMBEDDING_RULE),
            AnyOf([ANY_SITE, LISTED_SITES], message=_EMBEDDING_RULE),
        ]
    )
    sites = TextAreaField(
        "Sites", validators=[Length(max=6000, message="The list is too long to be sites.")]
    )
    parsed_sites: tuple[str, ...] = ()

    @property
    def any_site(self) -> bool:
        return self.embedding.data == ANY_SITE

    def validate_sites(self, field) -> None:
        text = field.data or ""
        if self.any_site and not text.strip():
            return
        try:
            self.parsed_sites = parse_sites(text)
        except SiteError as error:
            raise ValidationError(str(error)) from None


class ResetForm(FieldsForm):
    confirm = StringField(
        "Type the debate's address name to confirm",
        validators=[InputRequired("Type the debate's name to confirm.")],
    )


_KIND_RULE = f"kind must be one of: {', '.join(EXCLUSION_KINDS)}."
_BUCKET = re.compile(r"[0-9a-f]{16}")
_HOUR_RULE = "{} must be a UTC date and hour, as 2026-11-30T14:00."


def _hour(text: str | None, name: str) -> datetime:
    """An hour as a datetime-local field sends it; minutes must be :00."""
    try:
        moment = datetime.fromisoformat(text or "")
    except ValueError:
        raise ValidationError(_HOUR_RULE.format(name)) from None
    if moment.tzinfo is not None or moment.minute or moment.second or moment.microsecond:
        raise ValidationError(_HOUR_RULE.format(name))
    return moment


class ExclusionForm(FieldsForm):
    """What to set aside: a site (an origin, or "" for votes whose site is unknown),
    a network bucket (16 hex digits, or "" for unknown), or a window of whole hours."""

    kind = StringField(validators=[InputRequired(_KIND_RULE), AnyOf(EXCLUSION_KINDS, _KIND_RULE)])
    value = StringField(default="", validators=[Length(max=300)])
    starts = StringField(default="")
    ends = StringField(default="")

    def validate_value(self, field) -> None:
        value = field.data or ""
        if self.kind.data == SITE and value and embedding_site(value) != value:
            raise ValidationError("A site is an origin: scheme://host, with a port if any.")
        if self.kind.data == NETWORK and value and not _BUCKET.fullmatch(value):
            raise ValidationError("A network is a bucket of 16 hexadecimal digits.")

    def validate_ends(self, field) -> None:
        if self.kind.data != WINDOW:
            return
        starts, ends = _hour(self.starts.data, "starts"), _hour(field.data, "ends")
        if ends <= starts:
            raise ValidationError("ends must come after starts.")

    def window(self) -> tuple[datetime | None, datetime | None]:
        """The window's hours, for a window (validated); else none."""
        if self.kind.data != WINDOW:
            return None, None
        return _hour(self.starts.data, "starts"), _hour(self.ends.data, "ends")
