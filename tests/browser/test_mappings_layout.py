"""CRM settings in a real browser, laid out as the Salesforce setup guide: every tab, subtab and section with its own
save button, old addresses redirected, and no control cut off ("From our da…") nor a field column twice as wide as
its content at 1,400 px, nor at a laptop's 1,024 px (where a row takes two lines)."""

import pytest
from playwright.sync_api import expect

from tests.browser.shots import shot
from tests.browser.signin import sign_in
from tests.factories import MembershipFactory
from tests.mappings.conftest import cached_connection
from tests.mappings.describes import sb_prospect_fields, sf_field, shared_describe, task_describe
from workspaces.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = (
    "tasks/call/", "tasks/email/", "tasks/basic/", "tasks/linkedin/", "tasks/sms/",
    "contact/sequence/", "contact/defaults/", "contact/sms/", "contact/sync/",
    "lead/sequence/", "lead/defaults/", "lead/sms/", "lead/sync/",
    "account/defaults/", "account/sync/", "advanced/", "history/",
)  # fmt: skip

CUT_OFF = """() => {
  // Every visible select and text box whose shown text is wider than the box: what a person sees as "From our da…".
  const canvas = document.createElement("canvas").getContext("2d");
  const found = [];
  document.querySelectorAll("main select, main input[type=text]").forEach((el) => {
    if (!el.offsetParent || el.closest("template")) return;
    const style = getComputedStyle(el);
    canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const text = el.tagName === "SELECT" ? (el.options[el.selectedIndex] || {}).text || "" : el.value;
    // A select's arrow takes about 24 px beside the padding.
    const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight)
      - (el.tagName === "SELECT" ? 24 : 0);
    const need = canvas.measureText(text).width;
    const name = el.name || el.getAttribute("aria-label");
    if (need > room + 1) found.push(`${name}: "${text}" needs ${Math.ceil(need)} px, has ${Math.floor(room)}`);
  });
  return found;
}"""

FIELD_COLUMN = """() => {
  // Per mapping table: the field column's width and the widest label of any option its selects offer.
  const canvas = document.createElement("canvas").getContext("2d");
  const tables = Array.from(document.querySelectorAll("main table.mapping-table")).filter((t) => t.offsetParent);
  return tables.map((table) => {
    const cells = Array.from(table.querySelectorAll("tbody td.field-cell"));
    let need = 0;
    cells.forEach((cell) => cell.querySelectorAll("select").forEach((el) => {
      const style = getComputedStyle(el);
      canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
      Array.from(el.options).forEach((o) => { need = Math.max(need, canvas.measureText(o.text).width + 48); });
    }));
    const head = table.querySelector("thead th");
    const width = head ? head.getBoundingClientRect().width : 0;
    return {table: table.dataset.formset || table.className, width, need};
  }).filter((row) => row.need > 0);
}"""


def describes() -> dict:
    task = task_describe(sb_fields=True)
    task["fields"].append(sf_field("sb_callresult__c", "picklist", length=255, label="Call Result",
                                   values=("Connected – interested", "Voicemail")))  # fmt: skip
    extra = (*sb_prospect_fields(), sf_field("DoNotCall", "boolean", label="Do Not Call"))
    return {
        "Task": task,
        "Contact": shared_describe("Contact", extra=extra),
        "Lead": shared_describe("Lead", extra=extra),
        "Account": shared_describe("Account"),
    }


@pytest.fixture
def owner(db):
    member = MembershipFactory(role=Role.OWNER, workspace__name="Alpha Team", workspace__slug="alpha")
    cached_connection(member.workspace, describes())
    return member


@pytest.mark.parametrize("width", [1400, 1024])
def test_no_control_is_cut_off_and_the_field_column_fits(live_server, page, owner, width):
    page.set_viewport_size({"width": width, "height": 900})
    base = f"{live_server.url}/w/alpha/settings/crm/"
    sign_in(page, base, owner.user.email)
    problems = []
    for path in PAGES:
        page.goto(base + path)
        expect(page.get_by_role("heading", name="CRM settings")).to_be_visible()
        found = page.evaluate(CUT_OFF)
        problems += [f"{path} {item}" for item in found]
        for table in page.evaluate(FIELD_COLUMN):
            if table["width"] > 2 * table["need"]:
                problems.append(
                    f"{path} {table['table']}: field column {table['width']:.0f} px for {table['need']:.0f}"
                )
        # Nothing is wider than the window: no sideways scrolling of the page.
        assert page.evaluate("document.documentElement.scrollWidth") <= width, path
        shot(page, f"{width}-{path.strip('/').replace('/', '-')}.png", full_page=True)
    assert not problems, "\n".join(problems)


def test_the_setup_guides_layout_with_its_save_buttons(live_server, page, owner):
    page.set_viewport_size({"width": 1400, "height": 900})
    base = f"{live_server.url}/w/alpha/settings/crm/"
    sign_in(page, base, owner.user.email)
    expect(page).to_have_url(base + "tasks/call/")
    tabs = page.get_by_role("navigation", name="CRM settings sections").get_by_role("link")
    expect(tabs).to_have_text(
        ["Task Mappings", "Contact Mappings", "Lead Mappings", "Account Mappings", "Advanced Settings", "History"]
    )
    subtabs = page.get_by_role("navigation", name="Task Mappings").get_by_role("link")
    expect(subtabs).to_have_text(["Call", "Email", "Basic", "LinkedIn", "SMS"])

    subtabs.filter(has_text="Email").click()
    expect(page.get_by_role("heading", name="Outgoing emails")).to_be_visible()
    expect(page.get_by_role("heading", name="Incoming emails")).to_be_visible()
    expect(page.get_by_role("button", name="Save outgoing emails")).to_be_visible()
    page.get_by_role("button", name="Save incoming emails").click()
    expect(page.get_by_role("status").filter(has_text="No changes to save.")).to_be_visible()
    expect(page).to_have_url(base + "tasks/email/#incoming")

    page.get_by_role("navigation", name="Task Mappings").get_by_role("link", name="LinkedIn").click()
    expect(page.get_by_role("heading", name="Messages")).to_be_visible()
    expect(page.get_by_role("heading", name="Connection Requests")).to_be_visible()

    for obj in ("Contact", "Lead"):
        page.get_by_role("navigation", name="CRM settings sections").get_by_role("link", name=f"{obj} Mappings").click()
        expect(page.get_by_role("navigation", name=f"{obj} Mappings").get_by_role("link")).to_have_text(
            ["Sequence Field Mappings", "Creation Defaults", "SMS", "Data Sync Mappings"]
        )

    page.get_by_role("navigation", name="CRM settings sections").get_by_role("link", name="Account Mappings").click()
    account = page.get_by_role("navigation", name="Account Mappings").get_by_role("link")
    expect(account).to_have_text(["Creation Defaults", "Data Sync Mappings"])
    company = page.get_by_test_id("linkedin-company-mappings")
    other = page.get_by_test_id("other-defaults")
    expect(company.get_by_role("heading", name="LinkedIn Company Mappings")).to_be_visible()
    expect(other.get_by_role("heading", name="Other Defaults")).to_be_visible()
    # Each part saves on its own button.
    other.get_by_role("button", name="Add field").click()
    row = other.locator("tr[data-row]").last
    row.get_by_label("Salesforce field").select_option("Description")
    row.get_by_label("Value from").select_option("constant")
    row.get_by_label("Fixed value").fill("Created by Switchboard")
    other.get_by_role("button", name="Save other defaults").click()
    expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    company = page.get_by_test_id("linkedin-company-mappings")
    company.get_by_role("button", name="Save LinkedIn company mappings").click()
    expect(page.get_by_role("status").filter(has_text="No changes to save.")).to_be_visible()
    expect(page.get_by_test_id("other-defaults").locator("input[value='Created by Switchboard']")).to_have_count(1)

    account.filter(has_text="Data Sync Mappings").click()
    expect(page.get_by_role("button", name="+ Add Custom Field Mapping")).to_be_visible()
    expect(page.get_by_role("button", name="Save Mapping")).to_be_visible()

    page.get_by_role("navigation", name="CRM settings sections").get_by_role("link", name="Advanced Settings").click()
    for legend in ("Log Activities For", "Create New Prospects As"):
        expect(page.locator("legend", has_text=legend)).to_be_visible()
    expect(page.get_by_text("Contact by Email")).to_be_visible()

    # An old address (a bookmark, a failed write's fix link) lands on its new page.
    page.goto(base + "opt-out/")
    expect(page).to_have_url(base + "contact/sms/")
    page.goto(base + "tasks/email_received/")
    expect(page).to_have_url(base + "tasks/email/#incoming")


def test_the_sms_opt_out_dropdown_offers_only_opt_out_checkboxes(live_server, page, owner):
    sign_in(page, f"{live_server.url}/w/alpha/settings/crm/lead/sms/", owner.user.email)
    box = page.get_by_label("Lead SMS opt-out checkbox")
    options = box.locator("option")
    expect(options).to_have_text(
        ["— none —", "sb smsoptout (sb_smsoptout__c) · boolean", "Do Not Call (DoNotCall) · boolean"]
    )
    expect(box.locator("option", has_text="Active in Sequence")).to_have_count(0)
    box.select_option("sb_smsoptout__c")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    expect(page.get_by_label("Lead SMS opt-out checkbox")).to_have_value("sb_smsoptout__c")
    # The Contact's choice is its own.
    page.get_by_role("navigation", name="CRM settings sections").get_by_role("link", name="Contact Mappings").click()
    page.get_by_role("navigation", name="Contact Mappings").get_by_role("link", name="SMS").click()
    expect(page.get_by_label("Contact SMS opt-out checkbox")).to_have_value("")
