from django import forms


class ApiKeyForm(forms.Form):
    name = forms.CharField(max_length=120, help_text="Where the key is used, e.g. “Engagement tool production”.")
