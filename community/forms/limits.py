"""Length limits as a live counter (`data-max-length`), never the HTML `maxlength`."""

from django import forms


class LengthCounterMixin:
    """Show each field's length limit as `data-max-length` instead of `maxlength`.

    Browsers apply `maxlength` by cutting pasted text without a word. With
    `data-max-length`, static/js/length_limits.js shows a counter and keeps the form
    from being sent past the limit; without JavaScript the form's or the service's
    validation refuses the text with a message and the page shows it again, whole.
    Limits the fields do not declare themselves come from `length_limits()`, read per
    request so that settings overrides apply.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limits = {
            name: field.widget.attrs.pop("maxlength")
            for name, field in self.fields.items()
            if "maxlength" in field.widget.attrs
        }
        limits.update(self.length_limits())
        for name, limit in limits.items():
            self.fields[name].widget.attrs["data-max-length"] = limit
        if self.is_bound:
            self.data = self._one_character_line_breaks(self.data)

    def length_limits(self):
        """{field name: most characters} for the fields without a `max_length`."""
        return {}

    def _one_character_line_breaks(self, data):
        """Browsers send a textarea's line breaks as CRLF but count each as one
        character: store and validate them as LF, so the limits count what the counter
        showed."""
        data = data.copy()
        for name, field in self.fields.items():
            key = self.add_prefix(name)
            if isinstance(field.widget, forms.Textarea) and isinstance(
                data.get(key), str
            ):
                data[key] = data[key].replace("\r\n", "\n").replace("\r", "\n")
        return data
