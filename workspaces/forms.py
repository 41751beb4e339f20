from django import forms

from workspaces.models import Role


class WorkspaceCreateForm(forms.Form):
    name = forms.CharField(max_length=120, label="Workspace name")

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Give the workspace a name.")
        return name


def grantable_roles(actor_role: str, keep: str = "") -> list[tuple[str, str]]:
    """The roles a member of `actor_role` is offered (only Owners make Owners), plus `keep`, the current role of
    the member being edited, so the form shows it as it is. Only the widget is narrowed: a tampered post still
    reaches the service, which refuses it with the reason."""
    return [(value, label) for value, label in Role.choices
            if value != Role.OWNER or actor_role == Role.OWNER or value == keep]  # fmt: skip


class InvitationForm(forms.Form):
    email = forms.EmailField(label="Email address")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.REP)

    def __init__(self, *args, actor_role: str = Role.OWNER, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].widget.choices = grantable_roles(actor_role)


class MembershipForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)
    manage_crm_settings = forms.BooleanField(
        required=False,
        label="Manage CRM Settings",
        help_text="Owners and admins always have it; grant it to a rep here.",
    )

    def __init__(self, *args, actor_role: str = Role.OWNER, current_role: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].widget.choices = grantable_roles(actor_role, keep=current_role)
