"""The vote forms: which values each form field accepts.

A vote's origin is proven before its form is read (ballots.py), and the
author's forms are covered by CSRFProtect, so forms only validate their own
fields.
"""

from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import AnyOf, InputRequired

from .models import CLAIM_CHOICES, STANCE_PHASES, STANCE_SIDES


def _one_of(name: str, allowed) -> list:
    rule = f"{name} must be one of: {', '.join(allowed)}."
    return [InputRequired(message=rule), AnyOf(list(allowed), message=rule)]


class FieldsForm(FlaskForm):
    """A form that checks its own fields only, and names its first problem."""

    class Meta:
        csrf = False

    def first_error(self) -> str:
        return next(iter(self.errors.values()))[0]


class ClaimVoteForm(FieldsForm):
    choice = StringField(validators=_one_of("choice", CLAIM_CHOICES))


class StanceForm(FieldsForm):
    phase = StringField(validators=_one_of("phase", STANCE_PHASES))
    side = StringField(validators=_one_of("side", STANCE_SIDES))


class QuestionVoteForm(FieldsForm):
    """Only presence is checked here: an option that does not exist is a 404."""

    option = StringField()

    def __init__(self, option_keys: list[str], *args, **kwargs):
        super().__init__(*args, **kwargs)
        rule = f"option must be one of: {', '.join(option_keys)}."
        self.option.validators = [InputRequired(message=rule)]
