"""CRM settings laid out as the Salesforce setup guide lays them out (issue 16); the old addresses moved for good."""

import pytest

from mappings.models import CreationDefault, OptOutField, SequenceFieldMapping, SettingsChange
from tests.mappings.conftest import crm_url, formset_data

pytestmark = pytest.mark.django_db

TOP_TABS = ["Task Mappings", "Contact Mappings", "Lead Mappings", "Account Mappings", "Advanced Settings", "History"]


def tab_labels(html: str, nav_label: str) -> list[str]:
    import re

    nav = html.split(f'aria-label="{nav_label}"', 1)[1].split("</nav>", 1)[0]
    return re.findall(r">([^<>]+)</a>", nav)


class TestTabs:
    def test_top_tabs_follow_the_guide(self, owner_client, owner, connected):
        html = owner_client.get(crm_url(owner.workspace, "tasks/call/")).content.decode()
        assert tab_labels(html, "CRM settings sections") == TOP_TABS
        assert tab_labels(html, "Task Mappings") == ["Call", "Email", "Basic", "LinkedIn", "SMS"]

    @pytest.mark.parametrize("obj", ["contact", "lead"])
    def test_contact_and_lead_subtabs(self, owner_client, owner, connected, obj):
        response = owner_client.get(crm_url(owner.workspace, f"{obj}/"))
        assert response.status_code == 302 and response["Location"].endswith(f"/{obj}/sequence/")
        html = owner_client.get(response["Location"]).content.decode()
        assert tab_labels(html, f"{obj.title()} Mappings") == [
            "Sequence Field Mappings", "Creation Defaults", "SMS", "Data Sync Mappings",
        ]  # fmt: skip
        for sub in ("sequence", "defaults", "sms", "sync"):
            assert owner_client.get(crm_url(owner.workspace, f"{obj}/{sub}/")).status_code == 200

    def test_account_subtabs(self, owner_client, owner, connected):
        html = owner_client.get(crm_url(owner.workspace, "account/defaults/")).content.decode()
        assert tab_labels(html, "Account Mappings") == ["Creation Defaults", "Data Sync Mappings"]
        assert "LinkedIn Company Mappings" in html and "Other Defaults" in html
        assert "Save LinkedIn company mappings" in html and "Save other defaults" in html
        html = owner_client.get(crm_url(owner.workspace, "account/sync/")).content.decode()
        assert "+ Add Custom Field Mapping" in html and "Save Mapping" in html
        assert owner_client.get(crm_url(owner.workspace, "account/sequence/")).status_code == 404
        assert owner_client.get(crm_url(owner.workspace, "account/sms/")).status_code == 404
        assert owner_client.get(crm_url(owner.workspace, "opportunity/defaults/")).status_code == 404

    def test_email_and_linkedin_subtabs_hold_two_sections_each(self, owner_client, owner, connected):
        html = owner_client.get(crm_url(owner.workspace, "tasks/email/")).content.decode()
        assert 'id="outgoing"' in html and 'id="incoming"' in html
        assert "Save outgoing emails" in html and "Save incoming emails" in html
        html = owner_client.get(crm_url(owner.workspace, "tasks/linkedin/")).content.decode()
        assert ">Messages</h2>" in html and ">Connection Requests</h2>" in html
        html = owner_client.get(crm_url(owner.workspace, "advanced/")).content.decode()
        for legend in ("Log Activities For", "Create New Prospects As", "Matching rules"):
            assert f"<legend>{legend}</legend>" in html


OLD_ADDRESSES = [
    ("tasks/email_sent/", "tasks/email/#outgoing"),
    ("tasks/email_received/", "tasks/email/#incoming"),
    ("tasks/linkedin_message/", "tasks/linkedin/#messages"),
    ("tasks/linkedin_connection/", "tasks/linkedin/#connection-requests"),
    ("tasks/other/", "tasks/basic/"),
    ("sequence/", "contact/sequence/"),
    ("opt-out/", "contact/sms/"),
    ("defaults/", "account/defaults/"),
    ("defaults/Account/", "account/defaults/"),
    ("defaults/Contact/", "contact/defaults/"),
    ("defaults/Lead/", "lead/defaults/"),
    ("sync/", "account/sync/"),
    ("sync/Account/", "account/sync/"),
    ("sync/Contact/", "contact/sync/"),
    ("sync/Lead/", "lead/sync/"),
]


class TestOldAddresses:
    @pytest.mark.parametrize(("old", "new"), OLD_ADDRESSES)
    def test_each_old_page_moved_permanently(self, owner_client, owner, connected, old, new):
        response = owner_client.get(crm_url(owner.workspace, old))
        assert response.status_code == 301
        assert response["Location"] == crm_url(owner.workspace, new)
        assert owner_client.get(crm_url(owner.workspace, new.split("#")[0])).status_code == 200

    def test_a_rep_is_redirected_too(self, client, rep, connected):
        client.force_login(rep.user)
        response = client.get(crm_url(rep.workspace, "tasks/email_sent/"))
        assert response.status_code == 301

    def test_query_string_goes_along_before_the_anchor(self, owner_client, owner, connected):
        response = owner_client.get(crm_url(owner.workspace, "tasks/email_sent/?x=1"))
        assert response["Location"] == crm_url(owner.workspace, "tasks/email/?x=1#outgoing")

    def test_unknown_pages_are_still_404(self, owner_client, owner, connected):
        for path in ("tasks/fax/", "defaults/Opportunity/", "sync/Case/"):
            assert owner_client.get(crm_url(owner.workspace, path)).status_code == 404

    def test_a_form_posted_to_an_old_address_is_sent_on_with_308(self, owner_client, owner, connected):
        response = owner_client.post(crm_url(owner.workspace, "tasks/email_sent/"), {"x": "1"})
        assert response.status_code == 308
        assert response["Location"] == crm_url(owner.workspace, "tasks/email/#outgoing")

    def test_fix_links_of_failed_writes_still_lead_to_the_page(self, owner, connected):
        from activities.services.writeback.explain import settings_url

        ws = owner.workspace
        assert settings_url(ws, "task", "call") == crm_url(ws, "tasks/call/")
        assert settings_url(ws, "creation", "Lead") == crm_url(ws, "defaults/Lead/")  # moves to lead/defaults/
        assert settings_url(ws, "opt_out") == crm_url(ws, "opt-out/")


class TestSavesPerPage:
    def test_each_email_section_saves_only_its_kind(self, owner_client, owner, connected):
        ws = owner.workspace
        owner_client.get(crm_url(ws, "tasks/email/"))
        rows = [{"target_field": "Type", "source": "constant", "constant": "Meeting"}]
        response = owner_client.post(crm_url(ws, "tasks/email/"), formset_data("task-email_received", rows, initial=0))
        assert response.status_code == 302
        assert response["Location"] == crm_url(ws, "tasks/email/#incoming")
        change = SettingsChange.objects.filter(workspace=ws).latest("id")
        assert change.section == "task:email_received"
        assert not SettingsChange.objects.filter(workspace=ws, section="task:email_sent", actor=owner.user).exists()

    def test_saving_contact_sequence_fields_keeps_the_lead_ones(self, owner_client, owner, connected):
        ws = owner.workspace
        owner_client.get(crm_url(ws, "contact/sequence/"))
        lead_before = set(
            SequenceFieldMapping.objects.filter(workspace=ws, sobject="Lead").values_list("purpose", "target_field")
        )
        assert lead_before
        response = owner_client.post(
            crm_url(ws, "contact/sequence/"), {"contact-status": "sb_currentsequencestatus__c"}
        )
        assert response.status_code == 302
        assert set(
            SequenceFieldMapping.objects.filter(workspace=ws, sobject="Contact").values_list("purpose", flat=True)
        ) == {"status"}
        lead_after = set(
            SequenceFieldMapping.objects.filter(workspace=ws, sobject="Lead").values_list("purpose", "target_field")
        )
        assert lead_after == lead_before

    def test_sms_pages_save_one_object_each(self, owner_client, owner, connected):
        ws = owner.workspace
        OptOutField.objects.create(workspace=ws, sobject="Lead", target_field="sb_smsoptout__c")
        response = owner_client.post(crm_url(ws, "contact/sms/"), {"contact_field": "sb_smsoptout__c"})
        assert response.status_code == 302
        assert dict(OptOutField.objects.filter(workspace=ws).values_list("sobject", "target_field")) == {
            "Contact": "sb_smsoptout__c", "Lead": "sb_smsoptout__c",
        }  # fmt: skip
        owner_client.post(crm_url(ws, "lead/sms/"), {"lead_field": ""})
        assert dict(OptOutField.objects.filter(workspace=ws).values_list("sobject", "target_field")) == {
            "Contact": "sb_smsoptout__c", "Lead": None,
        }  # fmt: skip

    def test_account_parts_save_separately_and_keep_each_other(self, owner_client, owner, connected):
        ws = owner.workspace
        page = owner_client.get(crm_url(ws, "account/defaults/"))
        assert page.status_code == 200
        company = {f"company-{k}": v for k, v in page.context["company_form"].initial.items()}
        assert company["company-company.name-field"] == "Name"
        company["company-company.industry-field"] = ""  # stop filling Industry from LinkedIn
        response = owner_client.post(crm_url(ws, "account/defaults/"), {"part": "linkedin", **company})
        assert response.status_code == 302, response.context["company_form"].errors
        assert response["Location"].endswith("account/defaults/#linkedin-company")
        assert not CreationDefault.objects.filter(workspace=ws, sobject="Account", target_field="Industry").exists()

        rows = [{"target_field": "Rating", "source": "constant", "constant": "Hot"}]
        data = {"part": "other", **formset_data("creation-account", rows, initial=0)}
        response = owner_client.post(crm_url(ws, "account/defaults/"), data)
        assert response.status_code == 302, response.context["formset"].errors
        saved = list(
            CreationDefault.objects.filter(workspace=ws, sobject="Account").values_list("target_field", "value")
        )
        assert saved[-1] == ("Rating", "Hot")
        assert ("Name", "company.name") in saved and ("Website", "company.website") in saved
        # Saving the LinkedIn part unchanged keeps the other default and records nothing.
        count = SettingsChange.objects.count()
        company = {
            f"company-{k}": v
            for k, v in owner_client.get(crm_url(ws, "account/defaults/")).context["company_form"].initial.items()
        }
        owner_client.post(crm_url(ws, "account/defaults/"), {"part": "linkedin", **company})
        assert SettingsChange.objects.count() == count
        assert CreationDefault.objects.filter(workspace=ws, sobject="Account", target_field="Rating").exists()
