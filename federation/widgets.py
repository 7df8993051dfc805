"""Form widgets every app uses."""

from django import forms


class DateInput(forms.DateInput):
    """The browser's date picker. It accepts only ISO dates (YYYY-MM-DD), whatever the UI language:
    Django would otherwise render the locale's first input format (2026/11/28 in Chinese), which
    the picker rejects as empty."""

    input_type = "date"

    def __init__(self, attrs=None, format="%Y-%m-%d"):
        super().__init__(attrs, format=format)
