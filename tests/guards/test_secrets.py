"""No secret in plain text anywhere we keep or show things, after a realistic run; and key rotation end to end.

The run: the admin and two reps connect through OAuth against the sandbox, the admin reconnects (a fresh code,
state and PKCE verifier), an admin creates an API key on its page, events are sent with it and written to
Salesforce, then error pages and every admin page are opened. Then every text and bytes column of every table
(sessions and the cache decoded), every log record (as the production JSON formatter writes it), every admin
page and every error page are searched for each secret: tokens, refresh tokens, consumer secret, code verifier,
authorization code, OAuth state, API key, invitation token and the encryption keys themselves.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import re
import zlib
from io import StringIO
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.contrib.sessions.backends.db import SessionStore
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection as db
from django.test import Client
from django.urls import reverse
from pythonjsonlogger.json import JsonFormatter

from core import crypto
from core.rotation import encrypted_fields
from integrations.models import OAuthApp, OAuthCredential, OAuthState
from integrations.providers.salesforce.client import SalesforceClient
from tests.activities.conftest import activity_event, crm  # noqa: F401  (the connected workspace)
from tests.factories import MembershipFactory, UserFactory
from tests.guards.walker import routes
from tests.salesforce_oauth import consent, finish_callback, logged_in_client, start_connect
from workspaces.models import Role

pytestmark = pytest.mark.django_db


class Capture(logging.Handler):
    """Every record, formatted as production writes it (JSON with the `extra` fields), plus its traceback."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []
        self.json = JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s")

    def emit(self, record):
        if not self.paused:
            self.lines.append(self.json.format(record))

    paused = False

    @contextlib.contextmanager
    def pause(self):
        """For what the test does as the person's browser (signing in at Salesforce), which is not our app."""
        self.paused = True
        try:
            yield
        finally:
            self.paused = False


@pytest.fixture
def logs():
    handler, root = Capture(), logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(old_level)


def _param(url: str, name: str) -> str:
    return parse_qs(urlsplit(url).query)[name][0]


def _decoded(table: str, value) -> list:
    """What a stored value says once our own encodings are undone: sessions and cache entries are encoded."""
    texts = [value]
    if table == "django_session" and isinstance(value, str):
        texts.append(repr(SessionStore().decode(value)))
    if "cache" in table and isinstance(value, str):
        try:
            raw = base64.b64decode(value)
            texts.append(raw)
            texts.append(zlib.decompress(raw))
        except (ValueError, zlib.error):
            pass
    return texts


def db_texts() -> list[tuple[str, str, object]]:
    """(table, column, value) of every text or bytes value in every table of the database."""
    found = []
    with db.cursor() as cursor:
        for table in db.introspection.table_names(cursor):
            columns = [c.name for c in db.introspection.get_table_description(cursor, table)]
            cursor.execute(f"SELECT * FROM {db.ops.quote_name(table)}")  # noqa: S608 - names from introspection
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if isinstance(value, dict | list):  # PostgreSQL hands JSON columns over decoded
                        value = json.dumps(value)
                    if isinstance(value, str | bytes | memoryview):
                        value = bytes(value) if isinstance(value, memoryview) else value
                        found += [(table, column, text) for text in _decoded(table, value)]
    return found


def _contains(haystack, secret: str) -> bool:
    if isinstance(haystack, bytes):
        return secret.encode() in haystack
    return secret in haystack


@pytest.fixture
def run(crm, sandbox_org, logs):  # noqa: F811
    """The realistic run; returns (secrets by label, pages by label) once it is over."""
    pages: dict[str, str] = {}
    owner = logged_in_client(crm.owner)
    ws = crm.workspace.slug

    # The admin reconnects: a fresh code, state and verifier we can name (the fixture's own flows left theirs too).
    authorize_url = start_connect(owner, crm.workspace, kind="admin", login_url=sandbox_org.login_url)
    with logs.pause():
        callback = consent(
            authorize_url, username=sandbox_org.admin_user.username, password=sandbox_org.admin_user.password
        )
    response = finish_callback(owner, callback)
    pages["integrations after connect"] = owner.get(response["Location"]).content.decode()
    code, state = _param(callback, "code"), _param(callback, "state")

    # An API key, created on its page (the one answer that shows it, by design, is not scanned).
    created = owner.post(reverse("api_key_list", args=[ws]), {"name": "engagement tool", "scopes": ["events:write"]})
    raw_key = re.search(r"sbk_[A-Za-z0-9_-]{20,}", created.content.decode()).group(0)
    pages["API keys afterwards"] = owner.get(reverse("api_key_list", args=[ws])).content.decode()

    # An invitation, sent from the Members page (its token is a credential too: it is in the email only).
    with crm.capture(execute=True):
        owner.post(reverse("invitation_create", args=[ws]), {"email": "new@acme.example", "role": Role.REP})
    invite_token = re.search(r"/invitations/([^/\s]+)/", mail.outbox[-1].body).group(1)

    # Events through the API, written to Salesforce by the drain.
    api = Client()
    for n in range(3):
        response = api.post(
            "/api/v1/events",
            data=activity_event(n, rep=crm.rep),
            content_type="application/json",
            headers={"Authorization": f"Bearer {raw_key}"},
        )
        assert response.status_code == 202, response.content
    with crm.capture(execute=True):
        crm.drain()
    assert len(crm.tasks()) == 3

    # A token that expired at Salesforce is refreshed on the next call (the refresh flow logs too).
    crm.control.expire_tokens(sandbox_org.org_id)
    SalesforceClient(crm.admin_connection).limits()

    # Error pages, for people and for the API.
    rep = logged_in_client(crm.rep)
    pages["404"] = owner.get(f"/w/{ws}/no-such-page/").content.decode()
    pages["403"] = rep.post(reverse("crm_advanced", args=[ws])).content.decode()
    pages["API 401"] = api.post("/api/v1/events", data={}, content_type="application/json",
                                headers={"Authorization": f"Bearer {raw_key}x"}).content.decode()  # fmt: skip
    pages["API 403"] = api.post("/api/v1/actions/create_task", data={}, content_type="application/json",
                                headers={"Authorization": f"Bearer {raw_key}"}).content.decode()  # fmt: skip
    pages["API 400"] = api.post("/api/v1/events", data="{not json", content_type="application/json",
                                headers={"Authorization": f"Bearer {raw_key}"}).content.decode()  # fmt: skip
    pages["callback replayed"] = owner.get(finish_callback(owner, callback)["Location"]).content.decode()
    for name in ("workspace_home", "integration_list", "integration_audit", "activity_home", "sync_health"):
        pages[name] = owner.get(reverse(name, args=[ws])).content.decode()

    # The admin as a staff member sees it: the index, every list and the first row of each (add pages show no
    # stored value).
    staff = UserFactory(is_staff=True, is_superuser=True)
    MembershipFactory(user=staff, workspace=crm.workspace, role=Role.OWNER)
    admin = Client()
    admin.force_login(staff)
    for route in routes():
        if not route.is_admin or not route.name:
            continue
        if route.name.endswith("_changelist") or route.name == "admin:index":
            url = reverse(route.name)
            page = admin.get(url)
            assert page.status_code == 200, (url, page.status_code)
            pages[f"admin {url}"] = page.content.decode()
            for href in re.findall(r'href="(/admin/[^"]+/\d+/change/)', pages[f"admin {url}"])[:1]:
                pages[f"admin {href}"] = admin.get(href).content.decode()

    secrets = {"authorization code": code, "OAuth state": state, "API key": raw_key, "invitation token": invite_token}
    for credential in OAuthCredential.objects.select_related("connection"):
        who = credential.connection.remote_username
        secrets[f"access token of {who}"] = credential.access_token
        secrets[f"refresh token of {who}"] = credential.refresh_token
    for app in OAuthApp.objects.all():
        secrets[f"consumer secret of {app.workspace}"] = app.consumer_secret
    for pending in OAuthState.objects.all():
        secrets[f"code verifier #{pending.pk}"] = pending.code_verifier
    for n, key in enumerate(crypto_keys()):
        secrets[f"FIELD_ENCRYPTION_KEYS[{n}]"] = key
    assert all(len(value) >= 16 for value in secrets.values()), secrets
    return secrets, pages


def crypto_keys() -> list[str]:
    from django.conf import settings

    return list(settings.FIELD_ENCRYPTION_KEYS)


def test_no_secret_in_plain_text_in_the_database_pages_or_logs(run, logs):
    """One run, three places searched (one test: the run is the expensive part)."""
    secrets, pages = run
    texts = db_texts()
    leaks = [
        f"{label} in the database: {table}.{column}"
        for label, secret in secrets.items()
        for table, column, text in texts
        if _contains(text, secret)
    ]
    leaks += [f"{label} on the page {page}" for label, secret in secrets.items() for page, html in pages.items()
              if secret in html]  # fmt: skip
    leaks += [f"{label} in a log line: {line[:300]}" for label, secret in secrets.items() for line in logs.lines
              if secret in line]  # fmt: skip
    assert not leaks, "\n".join(leaks)
    # The scan read something: many rows (it finds a value it should), every admin list, the run's log lines.
    assert any(_contains(text, "prospect0@example.org") for table, _c, text in texts if table == "activities_prospect")
    assert len(texts) > 100
    assert sum(1 for page in pages if page.startswith("admin ")) > 40
    assert len(logs.lines) > 10


# -- key rotation ----------------------------------------------------------------------------------------------


def _stored_ciphertexts() -> list[tuple[str, str]]:
    """(model.field, raw stored value) of every non-empty encrypted value."""
    found = []
    with db.cursor() as cursor:
        for model, field in encrypted_fields():
            table, column = db.ops.quote_name(model._meta.db_table), db.ops.quote_name(field.column)
            cursor.execute(f"SELECT {column} FROM {table} WHERE {column} <> ''")  # noqa: S608 - our names
            found += [(f"{model._meta.label}.{field.name}", value) for (value,) in cursor.fetchall()]
    return found


def test_key_rotation_end_to_end(settings, salesforce_connect, sandbox, sandbox_org):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    owner = MembershipFactory(role=Role.OWNER)
    connection = salesforce_connect(owner.workspace, owner.user, sandbox_org, kind="admin")
    start_connect(logged_in_client(owner.user), owner.workspace, kind="admin", login_url=sandbox_org.login_url)
    before = _stored_ciphertexts()
    labels = {label for label, _ in before}
    assert {"integrations.OAuthCredential.access_token", "integrations.OAuthCredential.refresh_token",
            "integrations.OAuthApp.consumer_secret", "integrations.OAuthState.code_verifier"} <= labels  # fmt: skip

    settings.FIELD_ENCRYPTION_KEYS = [new, old]  # deploy step 1: the new key first, the old one still read
    assert SalesforceClient(connection).organization()["Name"] == sandbox_org.name
    out = StringIO()
    call_command("reencrypt_secrets", stdout=out)
    assert f"{len(before)} secrets now use the first key" in out.getvalue()

    after = _stored_ciphertexts()
    assert len(after) == len(before)
    for label, value in after:
        Fernet(new).decrypt(value.encode())  # readable with the new key alone
        with pytest.raises(InvalidToken):
            Fernet(old).decrypt(value.encode())
        assert label in labels

    settings.FIELD_ENCRYPTION_KEYS = [new]  # deploy step 2: the old key is gone
    sandbox.control.expire_tokens(sandbox_org.org_id)  # the next call must refresh with the re-encrypted token
    assert SalesforceClient(connection).organization()["Name"] == sandbox_org.name
    assert OAuthApp.objects.get(workspace=owner.workspace).consumer_secret == sandbox_org.consumer_secret
    call_command("reencrypt_secrets", stdout=StringIO())  # running it again is harmless


def test_rotation_refuses_a_value_no_key_reads_and_writes_nothing(settings, db):
    from tests.integrations.factories import ConnectionFactory

    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    ConnectionFactory()
    stored = _stored_ciphertexts()
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]  # the key that wrote them is missing
    with pytest.raises(CommandError, match=r"integrations\.OAuthCredential\.access_token of row \d+"):
        call_command("reencrypt_secrets", stdout=StringIO())
    assert _stored_ciphertexts() == stored
    with pytest.raises(crypto.DecryptionError):
        OAuthCredential.objects.get()
