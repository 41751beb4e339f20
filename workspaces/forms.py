from django import forms

from workspaces.models import Role


class WorkspaceCreateForm(forms.Form):
    name = forms.CharField(max_length=120, label="Workspace name")

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Give the workspace a name.")
        return name


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Email address")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.REP)


class MembershipForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)
    manage_crm_settings = forms.BooleanField(
        required=False,
        label="Manage CRM Settings",
        help_text="Owners and admins always have it; grant it to a rep here.",
    )
