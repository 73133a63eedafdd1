from django import forms

from accounts.models import User
from accounts.text import OneLineField


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "preferred_language"]
        field_classes = {"full_name": OneLineField}
