"""Value translations: our disposition "Connected" written as their Call Result "Connected – interested".

Page tests use a cached describe whose Call Result is a restricted picklist; the last test saves a translation
through the page and writes a Task to the sandbox org."""

import json

import pytest

from integrations.models import DescribeCache
from mappings.models import SettingsChange, TaskFieldMapping, ValueTranslation
from mappings.payloads import ActivityData, task_payload_build
from tests.activities.conftest import activity_event
from tests.mappings.conftest import cached_connection, crm_url, formset_data, section_context
from tests.mappings.describes import sb_prospect_fields, sf_field, shared_describe, task_describe
from tests.salesforce_oauth import logged_in_client

pytestmark = pytest.mark.django_db

RESULT = "sb_callresult__c"
RESULT_VALUES = ("Connected – interested", "Connected – not now", "Voicemail", "No answer")


def result_field(*, restricted: bool = True, values=RESULT_VALUES) -> dict:
    return sf_field(RESULT, "picklist", length=255, label="Call Result", restrictedPicklist=restricted, values=values)


def describes_with(field: dict) -> dict:
    task = task_describe()
    task["fields"].append(field)
    return {
        "Task": task,
        "Contact": shared_describe("Contact", extra=sb_prospect_fields()),
        "Lead": shared_describe("Lead", extra=sb_prospect_fields()),
        "Account": shared_describe("Account"),
    }


@pytest.fixture
def picklist_org(owner):
    return cached_connection(owner.workspace, describes_with(result_field()))


MAPPING = [
    {"target_field": "Subject", "source": "variable", "variable": "subject"},
    {"target_field": RESULT, "source": "variable", "variable": "disposition"},
]


def post_call(client, ws, translations: list[dict], mapping=MAPPING):
    data = formset_data("task-call", mapping, initial=0)
    data.update(formset_data("task-call-tr", translations, initial=0))
    return client.post(crm_url(ws, "tasks/call/"), data)


def choice(value: str) -> dict:
    """A 'Write instead' picked from the picklist (the select posts `<name>_choice`)."""
    return {"theirs_choice": value}


def saved_translations(ws) -> list[tuple[str, str, str]]:
    return [
        (t.mapping.target_field, t.ours, t.theirs)
        for t in ValueTranslation.objects.filter(mapping__workspace=ws).select_related("mapping")
    ]


def test_admin_translates_our_disposition_into_a_restricted_picklist_value(owner_client, owner, picklist_org):
    ws = owner.workspace
    response = post_call(
        owner_client,
        ws,
        [
            {"target_field": RESULT, "ours": "Connected", **choice("Connected – interested")},
            {"target_field": RESULT, "ours": "Left voicemail", **choice("Voicemail")},
        ],
    )
    assert response.status_code == 302, section_context(response)["translations"].errors
    assert saved_translations(ws) == [
        (RESULT, "Connected", "Connected – interested"),
        (RESULT, "Left voicemail", "Voicemail"),
    ]
    change = SettingsChange.objects.filter(workspace=ws, section="task:call").latest("id")
    assert change.actor == owner.user

    page = owner_client.get(crm_url(ws, "tasks/call/"))
    html = page.content.decode()
    # The saved translations are shown with the picklist's values to choose from, and the preview uses them.
    translations = section_context(page)["translations"]
    assert [f.initial for f in translations.forms] == [
        {"target_field": RESULT, "ours": "Connected", "theirs": "Connected – interested"},
        {"target_field": RESULT, "ours": "Left voicemail", "theirs": "Voicemail"},
    ]
    assert '<option value="Connected – not now">Connected – not now</option>' in html
    preview = section_context(page)["preview"]
    assert preview.fields[RESULT] == "Connected – interested"  # the sample call's disposition is "Connected"
    history = owner_client.get(crm_url(ws, "history/")).content.decode()
    assert "“Connected” → “Connected – interested”" in history


def test_translation_values_come_from_the_picklist(owner_client, owner, picklist_org):
    response = post_call(owner_client, owner.workspace, [{"target_field": RESULT, "ours": "Connected",
                                                          **choice("Interested")}])  # fmt: skip
    assert response.status_code == 400
    errors = section_context(response)["translations"].forms[0].errors["theirs"]
    assert "not an active value of this restricted picklist" in errors[0]
    assert not ValueTranslation.objects.exists()
    assert not TaskFieldMapping.objects.filter(workspace=owner.workspace, target_field=RESULT).exists()


def test_a_translation_needs_the_field_mapped_from_our_data(owner_client, owner, picklist_org):
    mapping = [
        {"target_field": "Subject", "source": "variable", "variable": "subject"},
        {"target_field": RESULT, "source": "constant", "constant_choice": "Voicemail"},
    ]
    response = post_call(
        owner_client, owner.workspace, [{"target_field": RESULT, "ours": "Connected", **choice("Voicemail")}], mapping
    )
    assert response.status_code == 400
    error = section_context(response)["translations"].forms[0].errors["target_field"][0]
    assert error.startswith(f"{RESULT} is not mapped from our data")


def test_the_same_value_translated_twice_is_refused(owner_client, owner, picklist_org):
    response = post_call(
        owner_client,
        owner.workspace,
        [
            {"target_field": RESULT, "ours": "Connected", **choice("Voicemail")},
            {"target_field": RESULT, "ours": " connected ", **choice("No answer")},
        ],
    )
    assert response.status_code == 400
    assert "already translated" in section_context(response)["translations"].forms[1].errors["ours"][0]


def test_our_text_goes_into_a_restricted_picklist_only_with_translations(owner_client, owner, picklist_org):
    response = post_call(owner_client, owner.workspace, [])
    assert response.status_code == 400
    error = section_context(response)["formset"].forms[1].errors["variable"][0]
    assert "restricted picklist" in error and "value translations" in error


def test_removing_a_translation_and_reverting_brings_it_back(owner_client, owner, picklist_org):
    ws = owner.workspace
    post_call(owner_client, ws, [{"target_field": RESULT, "ours": "Connected", **choice("Voicemail")}])
    mapping = TaskFieldMapping.objects.get(workspace=ws, target_field=RESULT)
    rows = [dict(MAPPING[0]), dict(MAPPING[1])]
    data = formset_data("task-call", rows, initial=2)
    data.update(formset_data("task-call-tr", [{"target_field": RESULT, "ours": "Connected",
                                                **choice("Voicemail"), "DELETE": True}], initial=1))  # fmt: skip
    # A restricted picklist without translations no longer takes our text: map a fixed value instead.
    data["task-call-1-source"] = "constant"
    data["task-call-1-constant_choice"] = "No answer"
    response = owner_client.post(crm_url(ws, "tasks/call/"), data)
    assert response.status_code == 302
    assert not ValueTranslation.objects.filter(mapping__workspace=ws).exists()
    assert not TaskFieldMapping.objects.filter(pk=mapping.pk).exists()

    change = SettingsChange.objects.filter(workspace=ws, section="task:call").latest("id")
    assert owner_client.post(crm_url(ws, f"history/{change.pk}/revert/")).status_code == 302
    assert saved_translations(ws) == [(RESULT, "Connected", "Voicemail")]


def test_a_page_opened_before_translations_keeps_them_on_save(owner_client, owner, picklist_org):
    ws = owner.workspace
    post_call(owner_client, ws, [{"target_field": RESULT, "ours": "Connected", **choice("Voicemail")}])
    response = owner_client.post(crm_url(ws, "tasks/call/"), formset_data("task-call", MAPPING, initial=2))
    assert response.status_code == 302
    assert saved_translations(ws) == [(RESULT, "Connected", "Voicemail")]


def test_preview_shows_an_unsaved_translation(owner_client, owner, picklist_org):
    ws = owner.workspace
    data = formset_data("task-call", MAPPING, initial=0)
    data.update(formset_data("task-call-tr", [{"target_field": RESULT, "ours": "CONNECTED",
                                                **choice("Connected – not now")}], initial=0))  # fmt: skip
    response = owner_client.get(crm_url(ws, "tasks/call/preview/"), data)
    assert response.status_code == 200
    body = response.json()
    assert body["invalid"] is False
    assert body["fields"][RESULT] == "Connected – not now"


def test_untranslated_values_go_out_as_they_are_or_are_left_out_of_a_restricted_picklist(owner):
    ws = owner.workspace
    for restricted in (False, True):
        mapping = TaskFieldMapping(workspace=ws, activity_kind="call", target_field=RESULT, source="variable",
                                   value="disposition")  # fmt: skip
        mapping.pending_translations = [{"ours": "Connected", "theirs": "Connected – interested"}]
        activity = ActivityData(kind="call", state="completed", disposition="Meeting booked")
        result = task_payload_build(
            workspace=ws, activity=activity, task_describe=describes_with(result_field(restricted=restricted))["Task"],
            mappings=[mapping],
        )  # fmt: skip
        if restricted:
            assert RESULT not in result.fields
            assert any("not an active value" in str(w) for w in result.warnings)
        else:
            assert result.fields[RESULT] == "Meeting booked"


def test_a_deactivated_translated_value_is_flagged_on_the_page(owner_client, owner, picklist_org):
    ws = owner.workspace
    post_call(owner_client, ws, [{"target_field": RESULT, "ours": "Connected", **choice("Voicemail")}])
    cache = DescribeCache.objects.get(connection=picklist_org, sobject="Task")
    payload = cache.payload
    field = next(f for f in payload["fields"] if f["name"] == RESULT)
    next(p for p in field["picklistValues"] if p["value"] == "Voicemail")["active"] = False
    cache.payload = payload
    cache.save()
    page = owner_client.get(crm_url(ws, "tasks/call/"))
    assert "“Voicemail” no longer fits" in section_context(page)["drift"][RESULT]


def test_translated_call_result_is_written_to_the_sandbox_task(crm):
    """Through the page and the writeback engine: the Task in Salesforce carries their value, not ours."""
    crm.control.add_fields(crm.org.org_id, "Task", [
        {"name": RESULT, "type": "picklist", "label": "Call Result", "values": list(RESULT_VALUES),
         "restricted": True},
    ])  # fmt: skip
    DescribeCache.objects.all().delete()
    client = logged_in_client(crm.owner)
    ws = crm.workspace
    assert client.get(crm_url(ws, "tasks/call/")).status_code == 200  # stock defaults first, as an admin sees them
    saved = list(TaskFieldMapping.objects.filter(workspace=ws, activity_kind="call"))
    rows = [
        {"target_field": m.target_field, "source": m.source,
         **({"variable": m.value} if m.source == "variable" else {"constant": m.value})}
        for m in saved
        if m.target_field != RESULT
    ] + [{"target_field": RESULT, "source": "variable", "variable": "disposition"}]  # fmt: skip
    data = formset_data("task-call", rows, initial=0)
    data.update(formset_data("task-call-tr", [{"target_field": RESULT, "ours": "Connected",
                                                **choice("Connected – interested")}], initial=0))  # fmt: skip
    response = client.post(crm_url(ws, "tasks/call/"), data)
    assert response.status_code == 302, json.dumps(
        [f.errors for f in section_context(response)["formset"].forms], default=str
    )

    crm.ingest([activity_event(1, rep=crm.rep), activity_event(2, rep=crm.rep, call={"disposition": "Busy"})])
    tasks = {t["Subject"]: t for t in crm.tasks()}
    assert len(tasks) == 2
    first, second = (next(t for s, t in tasks.items() if f"Touch {n}" in s) for n in (1, 2))
    assert first[RESULT] == "Connected – interested"
    assert not second.get(RESULT)  # "Busy" is ours, not one of theirs, and not translated: left out
