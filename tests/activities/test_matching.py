"""Prospect matching end to end against the sandbox (issue 12): a name alone never attaches activity to a namesake.

Rules, in order: Contact by Email, Contact by Name + Company, Contact by LinkedIn URL, Lead by Email, Lead by Name +
Company. A rule finding several records falls to the next; when none is sure the prospect is created, or held.
"""

from __future__ import annotations

import importlib

import pytest
from django.test import Client

from activities.models import Activity, JobStatus, MatchCandidate, Prospect, WritebackAttempt, WritebackJob
from mappings.models import CrmSettings
from tests.activities.conftest import activity_event
from tests.factories import MembershipFactory
from workspaces.models import Role

pytestmark = pytest.mark.django_db


def mateo(n: int, crm, *, email: str, company: str = "", **prospect):
    person = {"email": email, "first_name": "Mateo", "last_name": "Haddad", **prospect}
    if company:
        person["company"] = {"name": company}
    return activity_event(n, rep=crm.rep, prospect=person)


def seed(crm, sobject: str, rows: list[dict]) -> list[str]:
    return crm.control.load_records(crm.org.org_id, sobject, rows)


def two_companies(crm) -> tuple[str, str, str, str]:
    """Two Mateo Haddads, each a Contact of their own company's Account."""
    fjord, lumen = seed(crm, "Account", [{"Name": "Fjord", "Website": "https://www.fjord.example/"},
                                         {"Name": "Lumen", "Website": "lumen.example"}])  # fmt: skip
    at_fjord, at_lumen = seed(crm, "Contact", [
        {"FirstName": "Mateo", "LastName": "Haddad", "Email": "mateo@fjord.example", "AccountId": fjord},
        {"FirstName": "Mateo", "LastName": "Haddad", "Email": "mhaddad@lumen.example", "AccountId": lumen},
    ])  # fmt: skip
    return fjord, lumen, at_fjord, at_lumen


def task_who(crm) -> str:
    (task,) = crm.tasks()
    return task["WhoId"]


class TestNamesakes:
    def test_a_namesake_at_another_company_is_not_attached_a_contact_is_created(self, crm):
        _, _, at_fjord, at_lumen = two_companies(crm)
        crm.ingest([mateo(1, crm, email="mateo@northwind.example", company="Northwind")])

        who = task_who(crm)
        assert who not in (at_fjord, at_lumen)
        (created,) = [c for c in crm.records("Contact") if c["Id"] == who]
        assert created["Email"] == "mateo@northwind.example"
        prospect = Prospect.objects.get()
        assert prospect.matched_by == "created" and prospect.salesforce_id == who
        assert set(WritebackJob.objects.values_list("status", flat=True)) == {JobStatus.SUCCEEDED}

    def test_namesakes_are_not_candidates_either_so_review_does_not_hold(self, crm):
        CrmSettings.objects.create(workspace=crm.workspace, ambiguous_match="review")
        _, _, at_fjord, at_lumen = two_companies(crm)
        crm.ingest([mateo(1, crm, email="mateo@northwind.example", company="Northwind")])

        assert task_who(crm) not in (at_fjord, at_lumen)
        assert not MatchCandidate.objects.exists() and Prospect.objects.get().review == ""

    def test_each_namesake_goes_to_the_contact_of_their_own_company(self, crm):
        _, _, at_fjord, at_lumen = two_companies(crm)
        crm.ingest([
            mateo(1, crm, email="mateo.h@fjord.example", company="Fjord"),  # by Account Name
            mateo(2, crm, email="mateo@lumen.example", company="Lumen Group"),  # by email domain vs Website
        ])  # fmt: skip

        who = {t["Subject"]: t["WhoId"] for t in crm.tasks()}
        assert who == {"Call: Touch 1": at_fjord, "Call: Touch 2": at_lumen}
        assert set(Prospect.objects.values_list("matched_by", flat=True)) == {"contact_name_company"}
        assert len(crm.records("Contact")) == 2  # nothing created


class TestRules:
    def test_exact_email_wins_over_a_namesake(self, crm):
        _, _, at_fjord, at_lumen = two_companies(crm)
        crm.ingest([mateo(1, crm, email="mhaddad@lumen.example", company="Fjord")])  # email says Lumen

        assert task_who(crm) == at_lumen
        assert Prospect.objects.get().matched_by == "contact_email"

    def test_account_name_matches_whatever_the_case(self, crm):
        (acct,) = seed(crm, "Account", [{"Name": "Fjord Analytics"}])
        (contact,) = seed(crm, "Contact", [{"FirstName": "Mateo", "LastName": "Haddad", "AccountId": acct}])
        crm.ingest([mateo(1, crm, email="mateo@gmail.example", company="fjord analytics")])

        assert task_who(crm) == contact
        prospect = Prospect.objects.get()
        assert prospect.matched_by == "contact_name_company" and prospect.salesforce_account_id == acct

    def test_a_contact_without_account_is_not_matched_by_name(self, crm):
        (orphan,) = seed(crm, "Contact", [{"FirstName": "Mateo", "LastName": "Haddad"}])
        crm.ingest([mateo(1, crm, email="mateo@fjord.example", company="Fjord")])
        assert task_who(crm) != orphan

    def test_changed_email_is_found_again_by_name_and_company(self, crm):
        _, _, at_fjord, _ = two_companies(crm)
        # The prospect's email changed in the engagement tool: Salesforce still has the old one.
        crm.ingest([mateo(1, crm, email="mateo.haddad@fjord.example", company="Fjord")])

        assert task_who(crm) == at_fjord
        assert Prospect.objects.get().matched_by == "contact_name_company"
        (contact,) = [c for c in crm.records("Contact") if c["Id"] == at_fjord]
        assert contact["Email"] == "mateo@fjord.example"  # matching does not rewrite the record

    def test_lead_only_by_email_and_by_name_and_company(self, crm):
        by_email, by_name = seed(crm, "Lead", [
            {"FirstName": "Ana", "LastName": "Ruiz", "Company": "Else", "Email": "ana@else.example"},
            {"FirstName": "Mateo", "LastName": "Haddad", "Company": "Fjord"},
        ])  # fmt: skip
        seed(crm, "Lead", [{"FirstName": "Mateo", "LastName": "Haddad", "Company": "Lumen"}])  # a namesake
        crm.ingest([
            activity_event(1, rep=crm.rep, prospect={"email": "ana@else.example", "first_name": "A",
                                                     "last_name": "R"}),
            mateo(2, crm, email="mateo@fjord.example", company="Fjord"),
        ])  # fmt: skip

        who = {t["Subject"]: t["WhoId"] for t in crm.tasks()}
        assert who == {"Call: Touch 1": by_email, "Call: Touch 2": by_name}
        matched = dict(Prospect.objects.values_list("email", "matched_by"))
        assert matched == {"ana@else.example": "lead_email", "mateo@fjord.example": "lead_name_company"}
        assert crm.records("Contact") == []

    def test_a_rule_switched_off_is_not_used(self, crm):
        CrmSettings.objects.create(workspace=crm.workspace, match_contact_name_company=False)
        _, _, at_fjord, _ = two_companies(crm)
        crm.ingest([mateo(1, crm, email="mateo.haddad@fjord.example", company="Fjord")])

        assert task_who(crm) != at_fjord
        assert Prospect.objects.get().matched_by == "created"

    def test_email_rule_switched_off_falls_to_name_and_company(self, crm):
        fjord, lumen, at_fjord, _ = two_companies(crm)
        (shared,) = seed(crm, "Contact", [{"FirstName": "Mateo", "LastName": "Haddad", "Email": "m@inbox.example",
                                           "AccountId": lumen}])  # fmt: skip
        CrmSettings.objects.create(workspace=crm.workspace, match_contact_email=False)
        crm.ingest([mateo(1, crm, email="m@inbox.example", company="Fjord")])

        assert task_who(crm) == at_fjord  # with the email rule on it would be `shared`
        assert Prospect.objects.get().matched_by == "contact_name_company"


def duplicates_at_fjord(crm) -> tuple[str, str, str]:
    """Two Contacts for what may be one person (same name, same email, same Account)."""
    (fjord,) = seed(crm, "Account", [{"Name": "Fjord", "Website": "fjord.example"}])
    first, second = seed(crm, "Contact", [
        {"FirstName": "Mateo", "LastName": "Haddad", "Email": "mateo@fjord.example", "AccountId": fjord},
        {"FirstName": "Mateo", "LastName": "Haddad", "Email": "mateo@fjord.example", "AccountId": fjord},
    ])  # fmt: skip
    return fjord, first, second


class TestSeveralCandidates:
    def test_several_contacts_fall_through_to_the_next_rule(self, crm):
        _, first, second = duplicates_at_fjord(crm)
        (lead,) = seed(crm, "Lead", [{"LastName": "Haddad", "Company": "Fjord", "Email": "mateo@fjord.example"}])
        crm.ingest([mateo(1, crm, email="mateo@fjord.example", company="Fjord")])

        assert task_who(crm) == lead
        assert Prospect.objects.get().matched_by == "lead_email"

    def test_company_name_and_email_domain_pointing_at_two_accounts_is_not_a_match(self, crm):
        _, _, at_fjord, at_lumen = two_companies(crm)
        CrmSettings.objects.create(workspace=crm.workspace, match_contact_email=False, ambiguous_match="review")
        crm.ingest([mateo(1, crm, email="mateo@lumen.example", company="Fjord")])  # which one is it?

        assert crm.tasks() == []
        prospect = Prospect.objects.get()
        assert prospect.review == "held"
        assert set(prospect.match_candidates.values_list("remote_id", flat=True)) == {at_fjord, at_lumen}

    def test_nothing_sure_creates_by_default(self, crm):
        _, first, second = duplicates_at_fjord(crm)
        crm.ingest([mateo(1, crm, email="mateo@fjord.example", company="Fjord")])

        assert task_who(crm) not in (first, second)
        assert len(crm.records("Contact")) == 3
        assert Prospect.objects.get().matched_by == "created"

    def test_nothing_sure_holds_for_review_when_set(self, crm):
        CrmSettings.objects.create(workspace=crm.workspace, ambiguous_match="review")
        fjord, first, second = duplicates_at_fjord(crm)
        crm.ingest([mateo(1, crm, email="mateo@fjord.example", company="Fjord")])

        assert crm.tasks() == [] and len(crm.records("Contact")) == 2  # nothing guessed, nothing created
        prospect = Prospect.objects.get()
        assert prospect.review == "held" and prospect.salesforce_id == ""
        candidates = {c.remote_id: c for c in MatchCandidate.objects.filter(prospect=prospect)}
        assert set(candidates) == {first, second}
        assert candidates[first].account == "Fjord" and candidates[first].account_id == fjord
        assert "mateo@fjord.example" in candidates[first].label
        jobs = list(WritebackJob.objects.all())
        assert {j.status for j in jobs} == {JobStatus.WAITING_REVIEW}
        assert {j.attempts for j in jobs} == {0}  # a hold spends no attempt
        assert set(WritebackAttempt.objects.values_list("outcome", flat=True)) == {"review"}

        crm.drain()  # a held job is not picked up again
        assert crm.tasks() == [] and {j.status for j in WritebackJob.objects.all()} == {JobStatus.WAITING_REVIEW}

    def test_later_jobs_of_a_held_prospect_wait_behind_it(self, crm):
        CrmSettings.objects.create(workspace=crm.workspace, ambiguous_match="review")
        duplicates_at_fjord(crm)
        crm.ingest([mateo(1, crm, email="mateo@fjord.example", company="Fjord")])
        crm.ingest([mateo(2, crm, email="mateo@fjord.example", company="Fjord")])
        crm.drain()

        assert crm.tasks() == []
        statuses = set(WritebackJob.objects.values_list("status", flat=True))
        assert JobStatus.FAILED not in statuses and JobStatus.SUCCEEDED not in statuses


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


class TestReviewPage:
    @pytest.fixture
    def held(self, crm):
        CrmSettings.objects.create(workspace=crm.workspace, ambiguous_match="review")
        _, first, second = duplicates_at_fjord(crm)
        crm.ingest([mateo(1, crm, email="mateo@fjord.example", company="Fjord")])
        return Prospect.objects.get(), first, second

    def test_activity_page_lists_the_held_prospect_and_its_candidates(self, crm, held):
        prospect, first, second = held
        page = client_for(crm.owner).get(f"/w/{crm.workspace.slug}/activity/")
        html = page.content.decode()
        assert page.status_code == 200
        assert 'data-testid="match-review"' in html and "Mateo Haddad" in html
        instance = crm.rep_connection.instance_url.rstrip("/")
        assert f"{instance}/{first}" in html and f"{instance}/{second}" in html
        assert html.count("Use this one") == 2

    def test_use_this_one_applies_the_match_and_wakes_the_jobs(self, crm, held):
        prospect, first, second = held
        candidate = MatchCandidate.objects.get(prospect=prospect, remote_id=second)
        url = f"/w/{crm.workspace.slug}/activity/prospects/{prospect.pk}/match/"
        with crm.capture(execute=True):
            response = client_for(crm.owner).post(url, {"candidate": candidate.pk})
        assert response.status_code == 302

        prospect.refresh_from_db()
        assert prospect.salesforce_id == second and prospect.matched_by == "chosen" and prospect.review == ""
        assert task_who(crm) == second  # the woken jobs were written on the chosen record
        assert set(WritebackJob.objects.values_list("status", flat=True)) == {JobStatus.SUCCEEDED}
        assert not MatchCandidate.objects.exists()
        assert len(crm.records("Contact")) == 2

    def test_use_this_one_needs_manage_crm_settings_and_post(self, crm, held):
        prospect, first, _ = held
        candidate = MatchCandidate.objects.get(prospect=prospect, remote_id=first)
        url = f"/w/{crm.workspace.slug}/activity/prospects/{prospect.pk}/match/"
        assert client_for(crm.rep).post(url, {"candidate": candidate.pk}).status_code == 403
        assert client_for(crm.owner).get(url).status_code == 405
        prospect.refresh_from_db()
        assert prospect.review == "held" and prospect.salesforce_id == ""

    def test_use_this_one_is_workspace_scoped(self, crm, held):
        prospect, first, _ = held
        candidate = MatchCandidate.objects.get(prospect=prospect, remote_id=first)
        stranger = MembershipFactory(role=Role.OWNER)  # owner of another workspace
        url = f"/w/{stranger.workspace.slug}/activity/prospects/{prospect.pk}/match/"
        assert client_for(stranger.user).post(url, {"candidate": candidate.pk}).status_code == 404
        prospect.refresh_from_db()
        assert prospect.review == "held"

    def test_activity_detail_says_which_rule_matched_and_links_the_record(self, crm):
        _, _, at_fjord, _ = two_companies(crm)
        crm.ingest([mateo(1, crm, email="mateo.haddad@fjord.example", company="Fjord")])
        activity = Activity.objects.get()

        html = client_for(crm.rep).get(f"/w/{crm.workspace.slug}/activity/activities/{activity.pk}/").content.decode()
        assert 'data-testid="matched-by">Contact by Name + Company<' in html
        assert f'href="{crm.rep_connection.instance_url.rstrip("/")}/{at_fjord}"' in html


def upgrade_marks_name_only_matches():
    """Run the upgrade's data migration as `migrate` would."""
    from django.apps import apps

    migration = importlib.import_module("activities.migrations.0005_review_name_only_matches")
    migration.mark_for_review(apps, None)


class TestUpgrade:
    @pytest.fixture
    def old_match(self, crm):
        """A prospect the old rule put on a Lumen namesake's Contact, by name alone."""
        _, _, at_fjord, at_lumen = two_companies(crm)
        crm.ingest([mateo(1, crm, email="mateo@northwind.example", company="Northwind")])
        Prospect.objects.update(salesforce_id=at_lumen, salesforce_type="Contact", matched_by="contact_name")
        other = Prospect.objects.create(workspace=crm.workspace, email="e@x.example", salesforce_id=at_fjord,
                                        salesforce_type="Contact", matched_by="contact_email")  # fmt: skip
        upgrade_marks_name_only_matches()
        return Prospect.objects.get(email="mateo@northwind.example"), other, at_lumen

    def test_name_only_matches_are_marked_once_with_their_record(self, crm, old_match):
        prospect, other, at_lumen = old_match
        assert prospect.review == "name_only" and other.review == ""
        (candidate,) = prospect.match_candidates.all()
        assert candidate.remote_id == at_lumen and candidate.sobject == "Contact"
        upgrade_marks_name_only_matches()  # once: a second run adds nothing
        assert MatchCandidate.objects.count() == 1

        html = client_for(crm.owner).get(f"/w/{crm.workspace.slug}/activity/").content.decode()
        assert 'data-testid="match-review"' in html and "on the name alone" in html
        assert f"{crm.rep_connection.instance_url.rstrip('/')}/{at_lumen}" in html
        assert "Keep: use this one" in html and "Not this person: match again" in html

    def test_keep_confirms_the_match(self, crm, old_match):
        prospect, _, at_lumen = old_match
        candidate = prospect.match_candidates.get()
        url = f"/w/{crm.workspace.slug}/activity/prospects/{prospect.pk}/match/"
        assert client_for(crm.owner).post(url, {"candidate": candidate.pk}).status_code == 302
        prospect.refresh_from_db()
        assert prospect.review == "" and prospect.salesforce_id == at_lumen and prospect.matched_by == "chosen"

    def test_match_again_finds_the_prospect_by_todays_rules(self, crm, old_match):
        prospect, _, at_lumen = old_match
        url = f"/w/{crm.workspace.slug}/activity/prospects/{prospect.pk}/match-again/"
        assert client_for(crm.rep).post(url).status_code == 403
        assert client_for(crm.owner).post(url).status_code == 302
        prospect.refresh_from_db()
        assert prospect.review == "" and prospect.salesforce_id == "" and not prospect.match_candidates.exists()

        (own,) = [c["Id"] for c in crm.records("Contact") if c.get("Email") == "mateo@northwind.example"]
        crm.ingest([mateo(2, crm, email="mateo@northwind.example", company="Northwind")])
        prospect.refresh_from_db()
        assert prospect.matched_by == "contact_email" and prospect.salesforce_id == own != at_lumen
        assert {t["Subject"]: t["WhoId"] for t in crm.tasks()}["Call: Touch 2"] == prospect.salesforce_id


class TestNoneOfThese:
    def test_none_of_these_creates_a_new_record_and_writes_there(self, crm):
        CrmSettings.objects.create(workspace=crm.workspace, ambiguous_match="review")
        _, first, second = duplicates_at_fjord(crm)
        crm.ingest([mateo(1, crm, email="mateo@fjord.example", company="Fjord")])
        prospect = Prospect.objects.get()
        url = f"/w/{crm.workspace.slug}/activity/prospects/{prospect.pk}/create-new/"

        with crm.capture(execute=True):
            response = client_for(crm.owner).post(url)
        assert response.status_code == 302

        prospect.refresh_from_db()
        assert prospect.salesforce_id not in ("", first, second) and prospect.matched_by == "created"
        assert task_who(crm) == prospect.salesforce_id and len(crm.records("Contact")) == 3
        assert not MatchCandidate.objects.exists()
        page = client_for(crm.owner).get(f"/w/{crm.workspace.slug}/activity/").content.decode()
        assert 'data-testid="match-review"' not in page

    def test_none_of_these_is_only_for_held_prospects_and_managers(self, crm):
        prospect = Prospect.objects.create(workspace=crm.workspace, email="x@example.org")
        url = f"/w/{crm.workspace.slug}/activity/prospects/{prospect.pk}/create-new/"
        assert client_for(crm.owner).post(url).status_code == 404
        Prospect.objects.filter(pk=prospect.pk).update(review="held")
        assert client_for(crm.rep).post(url).status_code == 403
