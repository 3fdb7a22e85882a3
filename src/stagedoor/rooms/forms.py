from django import forms


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
