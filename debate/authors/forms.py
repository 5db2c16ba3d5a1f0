"""The forms authors fill in: signing in, running the poll, resetting votes.

CSRF is checked for every POST by CSRFProtect, so these forms only validate
their own fields.
"""

from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import AnyOf, InputRequired, Length

from ..core.debate import RESULTS_VISIBILITIES
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


class ResetForm(FieldsForm):
    confirm = StringField(
        "Type the debate's address name to confirm",
        validators=[InputRequired("Type the debate's name to confirm.")],
    )
