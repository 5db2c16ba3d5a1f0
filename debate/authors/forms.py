"""The forms authors fill in: signing in, running the poll, who may embed it,
resetting votes.

CSRF is checked for every POST by CSRFProtect, so these forms only validate
their own fields.
"""

from wtforms import EmailField, PasswordField, StringField, TextAreaField
from wtforms.validators import AnyOf, InputRequired, Length, ValidationError

from ..core.debate import RESULTS_VISIBILITIES
from ..core.embedding import SiteError, parse_sites
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
