import html as html_module
import json

import pytest

from integrations.models import DescribeCache
from mappings.models import CreationDefault, CrmSettings, OptOutField, SequenceFieldMapping, SyncFieldMapping
from tests.mappings.conftest import cached_connection, crm_url, formset_data
from tests.mappings.describes import sf_field

pytestmark = pytest.mark.django_db


def lead_row(m) -> dict:
    return {"target_field": m.target_field, "source": m.source, "variable": m.value, "fallback": m.fallback}


def seq_data(**fields):
    """contact_active="sb_..." style keys → the two prefixed forms' POST data."""
    data = {}
    for key, value in fields.items():
        sobject, _, purpose = key.partition("_")
        data[f"{sobject}-{purpose}"] = value
    return data


class TestSequenceFields:
    def test_stock_defaults_use_recommended_fields(self, owner_client, owner, connected):
        owner_client.get(crm_url(owner.workspace, "contact/sequence/"))
        rows = {(m.sobject, m.purpose): m.target_field for m in SequenceFieldMapping.objects.all()}
        assert rows[("Contact", "active")] == "sb_activeinsequence__c"
        assert rows[("Lead", "sequenced_by")] == "sb_sequencedby__c"
        assert len(rows) == 10

    def test_save_and_type_checks(self, owner_client, owner, connected):
        contact_url = crm_url(owner.workspace, "contact/sequence/")
        lead_url = crm_url(owner.workspace, "lead/sequence/")
        owner_client.get(contact_url)
        response = owner_client.post(
            contact_url,
            seq_data(
                contact_active="sb_currentsequencename__c",  # text, not a checkbox
                contact_name="sb_currentsequencename__c",
            ),
        )
        assert response.status_code == 400
        assert "checkbox field is needed" in response.context["form"].errors["active"][0]
        response = owner_client.post(
            lead_url,
            seq_data(
                lead_sequenced_by="OwnerId",  # a User lookup, but ownership is not ours to change
                lead_status="Title",
                lead_step="Title",  # twice on one object
            ),
        )
        assert response.status_code == 400
        lead = response.context["form"]
        assert "already holds" in lead.errors["step"][0]
        assert "set by Switchboard" in lead.errors["sequenced_by"][0]
        response = owner_client.post(
            contact_url, seq_data(contact_active="sb_activeinsequence__c", contact_name="Department")
        )
        assert response.status_code == 302
        assert owner_client.post(lead_url, seq_data(lead_step="Title")).status_code == 302
        rows = {(m.sobject, m.purpose): m.target_field for m in SequenceFieldMapping.objects.all()}
        assert rows == {
            ("Contact", "active"): "sb_activeinsequence__c",
            ("Contact", "name"): "Department",
            ("Lead", "step"): "Title",
        }

    def test_user_lookup_only(self, owner_client, owner, connected):
        url = crm_url(owner.workspace, "contact/sequence/")
        response = owner_client.post(url, seq_data(contact_sequenced_by="ReportsToId"))
        assert response.status_code == 400
        assert "is needed" in response.context["form"].errors["sequenced_by"][0]


class TestOptOut:
    def test_checkbox_or_none(self, owner_client, owner, connected):
        url = crm_url(owner.workspace, "contact/sms/")
        response = owner_client.post(url, {"contact_field": "Title"})
        assert response.status_code == 400
        assert "choose a checkbox field" in response.context["form"].errors["contact_field"][0]
        assert owner_client.post(url, {"contact_field": "sb_smsoptout__c"}).status_code == 302
        assert {r.sobject: r.target_field for r in OptOutField.objects.all()} == {"Contact": "sb_smsoptout__c"}

    def test_read_only_checkbox_is_not_offered(self, owner_client, owner, connected):
        response = owner_client.post(crm_url(owner.workspace, "contact/sms/"), {"contact_field": "IsEmailBounced"})
        assert "no longer writable" in response.context["form"].errors["contact_field"][0]


class TestCreationDefaults:
    def test_stock_defaults_and_preview(self, owner_client, owner, connected):
        response = owner_client.get(crm_url(owner.workspace, "lead/defaults/"))
        rows = {m.target_field: (m.value, m.fallback) for m in CreationDefault.objects.filter(sobject="Lead")}
        assert rows["Company"] == ("company.name", "Unknown")
        assert rows["LastName"] == ("prospect.last_name", "Unknown")
        html = response.content.decode()
        assert "Analytical Engines Ltd" in html  # preview of a sample prospect
        assert 'data-testid="required-missing"' not in html
        account = {m.target_field for m in CreationDefault.objects.filter(sobject="Account")}
        assert {"Name", "Website", "Industry", "NumberOfEmployees", "BillingCity"} <= account

    def test_required_gap_is_shown_and_blocks_saving(self, owner_client, owner, connected):
        url = crm_url(owner.workspace, "lead/defaults/")
        owner_client.get(url)
        CreationDefault.objects.filter(sobject="Lead", target_field="Company").delete()
        response = owner_client.get(url)
        assert "Company" in response.content.decode().split('data-testid="required-missing"')[1][:300]
        rows = [
            {"target_field": m.target_field, "source": m.source, "variable": m.value, "fallback": m.fallback}
            for m in CreationDefault.objects.filter(sobject="Lead")
        ]
        response = owner_client.post(url, formset_data("creation-lead", rows, initial=len(rows)))
        assert response.status_code == 400
        assert "Company" in response.context["formset"].non_form_errors()[0]

    def test_required_field_from_a_variable_needs_a_fallback(self, owner_client, owner, connected):
        url = crm_url(owner.workspace, "lead/defaults/")
        rows = [
            {"target_field": "LastName", "source": "variable", "variable": "prospect.last_name", "fallback": "Unknown"},
            {"target_field": "Company", "source": "variable", "variable": "company.name", "fallback": ""},
            {"target_field": "LeadSource", "source": "constant", "constant": "Web"},
        ]
        owner_client.get(url)
        CreationDefault.objects.all().delete()
        response = owner_client.post(url, formset_data("creation-lead", rows, initial=0))
        assert response.status_code == 400
        assert "enter a value for when it is unknown" in response.context["formset"].forms[1].errors["fallback"][0]
        rows[1]["fallback"] = "Unknown company"
        assert owner_client.post(url, formset_data("creation-lead", rows, initial=0)).status_code == 302
        assert CreationDefault.objects.get(sobject="Lead", target_field="Company").fallback == "Unknown company"
        assert CreationDefault.objects.get(sobject="Lead", target_field="LeadSource").fallback == ""

    @pytest.mark.parametrize(
        ("line", "target", "fallback", "error_on", "message"),
        [
            ("company.employee_count", "NumberOfEmployees", "lots", "fallback", "whole number"),
            ("company.name", "Name", "x" * 256, "fallback", "At most 255 characters"),
            ("company.website", "NumberOfEmployees", "", "field", "NumberOfEmployees) is a int field"),
            ("company.industry", "Rating", "", "field", "restricted picklist"),
            ("company.name", "Name", "", "fallback", "enter a value for when it is unknown"),
        ],
    )  # fmt: skip
    def test_linkedin_company_lines_are_checked_against_the_describe(
        self, owner_client, owner, describes, line, target, fallback, error_on, message
    ):
        rating = next(f for f in describes["Account"]["fields"] if f["name"] == "Rating")
        rating["restrictedPicklist"] = True
        cached_connection(owner.workspace, describes)
        url = crm_url(owner.workspace, "account/defaults/")
        initial = owner_client.get(url).context["company_form"].initial
        before = list(CreationDefault.objects.filter(sobject="Account").values_list("target_field", "value"))
        data = {"part": "linkedin", **{f"company-{k}": v for k, v in initial.items()}}
        if target == "NumberOfEmployees":
            data["company-company.employee_count-field"] = ""
        data[f"company-{line}-field"] = target
        data[f"company-{line}-fallback"] = fallback
        response = owner_client.post(url, data)
        assert response.status_code == 400
        assert message in " ".join(response.context["company_form"].errors[f"{line}-{error_on}"])
        assert message in response.content.decode().replace("&quot;", '"').replace("&#x27;", "'")
        assert list(CreationDefault.objects.filter(sobject="Account").values_list("target_field", "value")) == before

    def test_other_defaults_cannot_fill_what_a_linkedin_mapping_fills(self, owner_client, owner, connected):
        url = crm_url(owner.workspace, "account/defaults/")
        owner_client.get(url)
        rows = [{"target_field": "Name", "source": "constant", "constant": "Acme"}]
        response = owner_client.post(url, {"part": "other", **formset_data("creation-account", rows, initial=0)})
        assert response.status_code == 400
        assert (
            "already filled by a LinkedIn company mapping"
            in response.context["formset"].forms[0].errors["target_field"][0]
        )

    def test_a_required_field_left_to_neither_part_is_refused(self, owner_client, owner, connected):
        url = crm_url(owner.workspace, "account/defaults/")
        initial = owner_client.get(url).context["company_form"].initial
        data = {"part": "linkedin", **{f"company-{k}": v for k, v in initial.items()}, "company-company.name-field": ""}
        response = owner_client.post(url, data)
        assert response.status_code == 400
        assert "Account Name (Name)" in response.context["company_form"].non_field_errors()[0]

    def test_an_if_unknown_value_that_no_longer_fits_is_flagged_as_drift(self, owner_client, owner, describes):
        describes["Lead"]["fields"].append(sf_field("Employees__c", "string", length=20))
        connection = cached_connection(owner.workspace, describes)
        url = crm_url(owner.workspace, "lead/defaults/")
        owner_client.get(url)
        rows = [lead_row(m) for m in CreationDefault.objects.filter(sobject="Lead")]
        rows += [
            {"target_field": "Employees__c", "source": "variable", "variable": "company.employee_count",
             "fallback": "n/a"},
            {"target_field": "Industry", "source": "variable", "variable": "company.industry", "fallback": "Banking"},
        ]  # fmt: skip
        assert owner_client.post(url, formset_data("creation-lead", rows, initial=len(rows) - 2)).status_code == 302
        assert 'data-testid="drift-flag"' not in owner_client.get(url).content.decode()

        # The org shortens Company, retypes Employees__c to a number and restricts Industry without "Banking".
        cache = DescribeCache.objects.get(connection=connection, sobject="Lead")
        fields = {f["name"]: f for f in cache.payload["fields"]}
        fields["Company"]["length"] = 5  # the stock fallback is "Unknown"
        fields["Employees__c"]["type"] = "double"
        fields["Industry"]["restrictedPicklist"] = True
        next(p for p in fields["Industry"]["picklistValues"] if p["value"] == "Banking")["active"] = False
        cache.save()
        response = owner_client.get(url)
        html = response.content.decode().replace("&#x27;", "'")
        assert html.count('data-testid="drift-flag"') == 3
        drift = response.context["drift"]
        assert drift["Company"] == (
            "If unknown value “Unknown” no longer fits this field: At most 5 characters for this field (7 given)."
        )
        assert drift["Employees__c"] == "If unknown value “n/a” no longer fits this field: Enter a number."
        assert drift["Industry"].startswith("Industry is now a restricted picklist")
        assert "Company, Employees__c, Industry" in html.split('data-testid="drift-warning"')[1][:300]

    def test_after_a_failed_save_the_preview_shows_what_was_submitted(self, owner_client, owner, connected):
        url = crm_url(owner.workspace, "lead/defaults/")
        owner_client.get(url)
        rows = [lead_row(m) for m in CreationDefault.objects.filter(sobject="Lead")]
        rows += [
            {"target_field": "LeadSource", "source": "constant", "constant": "Web"},
            {"target_field": "NumberOfEmployees", "source": "constant", "constant": "lots"},
        ]
        response = owner_client.post(url, formset_data("creation-lead", rows, initial=len(rows) - 2))
        assert response.status_code == 400
        html = html_module.unescape(response.content.decode())
        shown = json.loads(html.split('data-testid="creation-preview">')[1].split("</pre>")[0])
        assert shown["LeadSource"] == "Web"
        assert "NumberOfEmployees" not in shown
        assert "Not saved" in html.split('data-testid="preview-note">')[1].split("</p>")[0]
        assert not CreationDefault.objects.filter(sobject="Lead", target_field="LeadSource").exists()

    def test_email_is_reserved(self, owner_client, owner, connected):
        url = crm_url(owner.workspace, "contact/defaults/")
        rows = [{"target_field": "Email", "source": "constant", "constant": "x@example.com"}]
        response = owner_client.post(url, formset_data("creation-contact", rows, initial=0))
        assert "set by Switchboard" in response.context["formset"].forms[0].errors["target_field"][0]

    def test_unknown_object_is_404(self, owner_client, owner, connected):
        assert owner_client.get(crm_url(owner.workspace, "opportunity/defaults/")).status_code == 404


class TestSync:
    def test_offers_custom_fields_and_saves_added_rows(self, owner_client, owner, describes):
        describes["Account"]["fields"].append(sf_field("Tier__c", "picklist", values=("Gold", "Silver")))
        describes["Account"]["fields"].append(sf_field("Notes__c", "textarea", length=32000, filterable=False))
        cached_connection(owner.workspace, describes)
        url = crm_url(owner.workspace, "account/sync/")
        formset = owner_client.get(url).context["formset"]
        assert formset.forms == []  # nothing synced yet: rows are added with "+ Add Custom Field Mapping"
        offered = [name for name, _ in formset.empty_form.fields["field_name"].widget.choices if name]
        assert {"Tier__c", "Notes__c", "History__c", "ns__Description__c"} <= set(offered)
        assert "Name" not in offered
        rows = [
            {"field_name": "Tier__c", "display_name": "Tier", "filterable": True},
            {"field_name": "Notes__c", "display_name": "", "filterable": True},
            {"field_name": "Name", "display_name": "Name"},
        ]
        response = owner_client.post(url, formset_data("sync-account", rows, initial=0))
        assert response.status_code == 400
        forms = response.context["formset"].forms
        assert "cannot filter" in forms[1].errors["filterable"][0]
        assert "not a custom field" in forms[2].errors["field_name"][0]
        rows[1] = {"field_name": "Notes__c", "display_name": ""}  # blank: the field's label
        assert owner_client.post(url, formset_data("sync-account", rows[:2], initial=0)).status_code == 302
        saved = {
            m.field_name: (m.display_name, m.filterable, m.field_type, m.status) for m in SyncFieldMapping.objects.all()
        }
        assert saved == {
            "Tier__c": ("Tier", True, "picklist", "active"),
            "Notes__c": ("Notes", False, "textarea", "active"),
        }
        # Removing a row stops syncing that field; the others stay.
        rows = [{"field_name": "Notes__c", "display_name": "Notes"}, {"field_name": "Tier__c", "display_name": "Tier",
                "filterable": True, "DELETE": True}]  # fmt: skip
        assert owner_client.post(url, formset_data("sync-account", rows, initial=2)).status_code == 302
        assert list(SyncFieldMapping.objects.values_list("field_name", flat=True)) == ["Notes__c"]

    def test_synced_field_that_disappears_is_flagged_missing(self, owner_client, owner, connected):
        SyncFieldMapping.objects.create(
            workspace=owner.workspace, sobject="Account", field_name="Gone__c", display_name="Gone", field_type="string"
        )
        html = owner_client.get(crm_url(owner.workspace, "account/sync/")).content.decode()
        assert 'data-testid="drift-flag"' in html
        response = owner_client.post(crm_url(owner.workspace, "metadata/refresh/"))  # Salesforce is unreachable
        assert "could not be reached" in owner_client.get(response["Location"], follow=True).content.decode()
        assert SyncFieldMapping.objects.get().status == "active"
        from mappings.services import sync_mappings_refresh_status

        describe = owner_client.get(crm_url(owner.workspace, "account/sync/")).context["page"].describe("Account")
        assert sync_mappings_refresh_status(workspace=owner.workspace, sobject="Account", describe=describe) == 1
        assert SyncFieldMapping.objects.get().status == "missing"

    def test_duplicate_fields_and_display_names(self, owner_client, owner, describes):
        describes["Lead"]["fields"] += [sf_field("A__c", "string", length=10), sf_field("B__c", "string", length=10)]
        cached_connection(owner.workspace, describes)
        url = crm_url(owner.workspace, "lead/sync/")
        rows = [{"field_name": "A__c", "display_name": "Same"}, {"field_name": "B__c", "display_name": "Same"},
                {"field_name": "A__c", "display_name": "Again"}]  # fmt: skip
        response = owner_client.post(url, formset_data("sync-lead", rows, initial=0))
        assert response.status_code == 400
        forms = response.context["formset"].forms
        assert "already the name of A__c" in forms[1].errors["display_name"][0]
        assert "already synced in row 1" in forms[2].errors["field_name"][0]
        assert not SyncFieldMapping.objects.exists()


class TestAdvanced:
    def test_defaults_and_save(self, owner_client, owner, connected):
        url = crm_url(owner.workspace, "advanced/")
        form = owner_client.get(url).context["form"]
        assert form.initial["log_mode"] == "completed_only"
        assert form.initial["linkedin_url_field_contact"] == "LinkedIn_URL__c"  # suggested: the one LinkedIn URL field
        data = {"log_mode": "all", "new_prospect_as": "lead", "linkedin_url_field_contact": "Title",
                "linkedin_url_field_lead": "LinkedIn_URL__c", "api_budget_percent": "150"}  # fmt: skip
        response = owner_client.post(url, data)
        assert response.status_code == 400
        assert "less than or equal to 100" in response.context["form"].errors["api_budget_percent"][0]
        data["api_budget_percent"] = "60"
        assert owner_client.post(url, data).status_code == 302
        crm = CrmSettings.objects.get(workspace=owner.workspace)
        assert (crm.log_mode, crm.new_prospect_as, crm.linkedin_url_field_contact, crm.api_budget_percent) == (
            "all", "lead", "Title", 60,
        )  # fmt: skip

    def test_wrong_field_type_for_linkedin(self, owner_client, owner, connected):
        data = {"log_mode": "all", "new_prospect_as": "lead", "linkedin_url_field_contact": "Birthdate",
                "api_budget_percent": "80"}  # fmt: skip
        response = owner_client.post(crm_url(owner.workspace, "advanced/"), data)
        assert "choose a URL or text field" in response.context["form"].errors["linkedin_url_field_contact"][0]

    def test_log_mode_can_change_without_salesforce(self, owner_client, owner):
        data = {"log_mode": "all", "new_prospect_as": "contact", "api_budget_percent": "80"}
        assert owner_client.post(crm_url(owner.workspace, "advanced/"), data).status_code == 302
        assert CrmSettings.objects.get(workspace=owner.workspace).log_mode == "all"

    def test_log_all_shows_open_state_preview_choice(self, owner_client, owner, connected):
        CrmSettings.objects.create(workspace=owner.workspace, log_mode="all")
        assert "data-preview-state" in owner_client.get(crm_url(owner.workspace, "tasks/call/")).content.decode()

    def test_linkedin_field_that_left_the_org_is_flagged(self, owner_client, owner, describes):
        from integrations.models import DescribeCache

        connection = cached_connection(owner.workspace, describes)
        url = crm_url(owner.workspace, "advanced/")
        assert 'data-testid="drift-warning"' not in owner_client.get(url).content.decode()
        cache = DescribeCache.objects.get(connection=connection, sobject="Contact")
        cache.payload["fields"] = [f for f in cache.payload["fields"] if f["name"] != "LinkedIn_URL__c"]
        cache.save()
        html = owner_client.get(url).content.decode()
        assert "Contact.LinkedIn_URL__c: This field no longer exists in Salesforce" in html.split("drift-warning")[1]
        assert "Lead.LinkedIn_URL__c" not in html.split("drift-warning")[1][:400]
