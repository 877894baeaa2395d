"""WTForms fields for the administration screens, with German messages throughout.

WTForms speaks English unless Flask-Babel is installed; these fields keep every message a
person can see in German, even for a tampered form.
"""

from __future__ import annotations

from wtforms import SelectField, SelectMultipleField, ValidationError


class ChoiceField(SelectField):
    """A drop-down whose values are whole numbers (ids); 0 means „none“."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, coerce=int, **kwargs)

    def process_formdata(self, valuelist):
        if valuelist:
            raw = valuelist[0]
            self.data = int(raw) if raw.isdigit() else -1

    def pre_validate(self, form):
        if self.data not in [value for value, _ in self.choices]:
            raise ValidationError("Bitte einen Eintrag aus der Liste wählen.")


class RoleField(SelectMultipleField):
    """Check boxes for the roles of config.toml (choices are set per request)."""

    def pre_validate(self, form):
        known = {value for value, _ in self.choices}
        unknown = [value for value in self.data or [] if value not in known]
        if unknown:
            raise ValidationError(f"Unbekannte Rolle: {', '.join(unknown)}")
