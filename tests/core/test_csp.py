"""The Content-Security-Policy header, and the templates it depends on staying free of inline code."""

import re
from pathlib import Path

import pytest

from config.settings.base import _oauth_form_targets
from tests.factories import DEFAULT_PASSWORD, MembershipFactory, UserFactory
from workspaces.models import Role

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

EXPECTED = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def _directives(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, "no Content-Security-Policy header"
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def _assert_policy(response):
    directives = _directives(response)
    for name, values in EXPECTED.items():
        assert directives.get(name) == values, (name, directives.get(name))
    # Forms post to us; the connect form's 302 may go on to a Salesforce authorize page (and, here, the sandbox).
    assert directives["form-action"][0] == "'self'"
    assert "https://*.salesforce.com" in directives["form-action"]
    assert "http://127.0.0.1:*" in directives["form-action"]
    assert not any(v in ("*", "'unsafe-inline'", "'unsafe-eval'") for values in directives.values() for v in values)


@pytest.mark.django_db
def test_workspace_page_has_the_policy(client):
    membership = MembershipFactory(role=Role.OWNER)
    client.login(email=membership.user.email, password=DEFAULT_PASSWORD)
    response = client.get(f"/w/{membership.workspace.slug}/integrations/")
    assert response.status_code == 200
    _assert_policy(response)


@pytest.mark.django_db
def test_sign_in_page_has_the_policy(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    _assert_policy(response)


@pytest.mark.django_db
def test_admin_page_has_the_policy_and_loads_the_data_attribute_script(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.login(email=user.email, password=DEFAULT_PASSWORD)
    response = client.get("/admin/activities/writebackjob/")
    assert response.status_code == 200
    _assert_policy(response)
    html = response.content.decode()
    assert "js/page_actions.js" in html
    assert "css/admin.css" in html


def test_production_form_targets_have_no_loopback():
    targets = _oauth_form_targets([".salesforce.com", ".force.com"], allow_loopback=False)
    assert targets == ["https://*.salesforce.com", "https://*.force.com"]


# What the policy refuses to run or apply: inline <script> and <style> blocks, on* handler attributes, style
# attributes and javascript: URLs. A data block (<script type="application/json">) is not run, so it is allowed.
INLINE = [
    ("inline <script>", re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)),
    ("<style> block", re.compile(r"<style\b", re.I)),
    ("on* handler", re.compile(r"\son[a-z]+\s*=", re.I)),
    ("style attribute", re.compile(r"\sstyle\s*=", re.I)),
    ("javascript: URL", re.compile(r"javascript:", re.I)),
]


def test_templates_have_no_inline_scripts_handlers_or_styles():
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text()
        for label, pattern in INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(TEMPLATES)}:{line}: {label}: {match.group(0)!r}")
    assert not found, "The Content-Security-Policy blocks these; use data attributes (static/js/page_actions.js):\n" + (
        "\n".join(found)
    )
