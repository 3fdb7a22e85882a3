from django import forms

SHOW_LENGTHS = [
    (30, "30 minutes"),
    (60, "1 hour"),
    (90, "1½ hours"),
    (120, "2 hours"),
    (180, "3 hours"),
    (240, "4 hours"),
]


class RoomSettingsForm(forms.Form):
    title = forms.CharField(max_length=120, required=False)
    topic = forms.CharField(max_length=280, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    tags = forms.CharField(max_length=300, required=False, help_text="Up to 8, separated by spaces.")
    blocked_regions = forms.CharField(
        max_length=3000,
        required=False,
        label="Blocked countries and regions",
        help_text="ISO codes separated by spaces, e.g. DE US-TX. Viewers there neither find nor watch your room.",
    )


class ScheduleShowForm(forms.Form):
    """One upcoming show. The time is UTC (the site's time zone), as the schedule shows it."""

    starts_at = forms.DateTimeField(
        label="Starts (UTC)",
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    duration_minutes = forms.TypedChoiceField(label="Length", choices=SHOW_LENGTHS, coerce=int, initial=60)
    title = forms.CharField(label="What's on (optional)", max_length=120, required=False)
