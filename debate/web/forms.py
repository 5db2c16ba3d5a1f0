"""The base of every form: fields only, with its first problem in words."""

from flask_wtf import FlaskForm


class FieldsForm(FlaskForm):
    """A form that checks its own fields only, and names its first problem.

    A vote's origin is proven before its form is read (readers/ballots.py) and
    the author's forms are covered by CSRFProtect, so no form checks a token.
    """

    class Meta:
        csrf = False

    def first_error(self) -> str:
        return next(iter(self.errors.values()))[0]
