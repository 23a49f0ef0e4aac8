from django import forms
from django.utils.translation import gettext_lazy as _


class BoardDateForm(forms.Form):
    date = forms.DateField(
        label=_("Board on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
