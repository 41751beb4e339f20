"""The few HTML pages a person sees: login, consent, error, and the index. Plain HTML, inline CSS."""

from __future__ import annotations

from html import escape

STYLE = """
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;background:#f3f3f3;margin:0;color:#181818}
.card{max-width:380px;margin:64px auto;background:#fff;border-radius:8px;
box-shadow:0 2px 8px rgba(0,0,0,.12);padding:28px}
h1{font-size:20px;margin:0 0 4px}.sub{color:#555;font-size:13px;margin:0 0 20px}
label{display:block;font-size:13px;margin:12px 0 4px}
input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:9px;border:1px solid #bbb;
border-radius:4px;font-size:14px}
button{margin-top:18px;padding:10px 16px;border:0;border-radius:4px;font-size:14px;cursor:pointer}
.primary{background:#0176d3;color:#fff;width:100%}.secondary{background:#e5e5e5;color:#181818}
.row{display:flex;gap:8px}.row button{flex:1}
.error{background:#fde8e8;color:#8c1c13;padding:8px 10px;border-radius:4px;font-size:13px}
ul{font-size:13px;padding-left:18px}table{border-collapse:collapse;font-size:13px}td,th{padding:4px 8px;text-align:left}
.wide{max-width:760px}th{color:#555;font-weight:500}
.brand{font-weight:600;color:#0176d3;font-size:13px;letter-spacing:.04em;text-transform:uppercase;margin-bottom:12px}
"""


def _page(title: str, body: str, *, wide: bool = False) -> str:
    card = ' class="card wide"' if wide else ' class="card"'
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f'<meta name="viewport" content="width=device-width,initial-scale=1"><style>{STYLE}</style></head>'
        f'<body><main{card}><div class="brand">Salesforce sandbox</div>{body}</main></body></html>'
    )


def _hidden(params: dict[str, str]) -> str:
    return "".join(
        f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in params.items() if v is not None
    )


def login_page(params: dict[str, str], *, error: str | None = None, username: str = "") -> str:
    err = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    return _page(
        "Login | Salesforce sandbox",
        f'<h1>Log in</h1><p class="sub">to continue to the connected app</p>{err}'
        f'<form method="post" action="/services/oauth2/authorize">{_hidden(params)}'
        '<input type="hidden" name="action" value="login">'
        f'<label for="username">Username</label><input type="text" id="username" name="username" '
        f'value="{escape(username)}" autocomplete="username" autofocus>'
        '<label for="password">Password</label><input type="password" id="password" name="password" '
        'autocomplete="current-password">'
        '<button class="primary" type="submit" id="Login">Log In</button></form>',
    )


SCOPE_TEXT = {
    "api": "Access and manage your data",
    "refresh_token": "Perform requests at any time",
    "offline_access": "Perform requests at any time",
    "id": "Access your basic information",
    "openid": "Access unique user identifiers",
    "full": "Full access",
    "web": "Access to the web",
}


def consent_page(params: dict[str, str], *, ticket: str, username: str, org_name: str) -> str:
    scopes = (params.get("scope") or "api refresh_token id").split()
    items = "".join(f"<li>{escape(SCOPE_TEXT.get(s, s))}</li>" for s in scopes)
    return _page(
        "Allow access? | Salesforce sandbox",
        f'<h1>Allow access?</h1><p class="sub">Signed in as {escape(username)} ({escape(org_name)})</p>'
        f"<p>The app is asking to:</p><ul>{items}</ul>"
        f'<form method="post" action="/services/oauth2/authorize">{_hidden(params)}'
        f'<input type="hidden" name="ticket" value="{escape(ticket)}">'
        '<div class="row"><button class="secondary" type="submit" name="action" value="deny" id="oaapprove_deny">'
        'Deny</button><button class="primary" type="submit" name="action" value="approve" id="oaapprove">'
        "Allow</button></div></form>",
    )


def error_page(error: str, description: str) -> str:
    return _page(
        "Error | Salesforce sandbox",
        f'<h1>Authorization error</h1><p class="error" role="alert">error={escape(error)}'
        f"&amp;error_description={escape(description)}</p>",
    )


def index_page(orgs: list[dict]) -> str:
    rows = "".join(
        f"<tr><td>{escape(o['name'])}</td><td>{escape(o['org_id'])}</td><td>{len(o['users'])}</td></tr>" for o in orgs
    )
    return _page(
        "Salesforce sandbox",
        "<h1>Sandbox orgs</h1><p class='sub'>Control API: <code>GET /_sandbox/</code></p>"
        f"<table><tr><th>Name</th><th>Org ID</th><th>Users</th></tr>{rows}</table>",
    )


def record_page(found: list[tuple[str, str, dict]]) -> str:
    """The record a product link opens (`/lightning/r/<sobject>/<id>/view` or `/<id>`): each org holding the id,
    with the record's fields, so a person following a link from Switchboard sees what was written."""
    sections = []
    for org_name, sobject, row in found:
        cells = "".join(
            f"<tr><th>{escape(str(k))}</th><td>{escape('' if v is None else str(v))}</td></tr>"
            for k, v in sorted(row.items())
            if k != "attributes"
        )
        title = row.get("Name") or row.get("Subject") or row.get("Id")
        sections.append(
            f"<h1>{escape(sobject)}: {escape(str(title))}</h1><p class='sub'>Org {escape(org_name)}</p>"
            f"<table data-testid='record-fields'>{cells}</table>"
        )
    return _page("Record · Salesforce sandbox", "".join(sections), wide=True)


def record_not_found_page(record_id: str, *, deleted: bool) -> str:
    why = "was deleted (it is in the Recycle Bin)" if deleted else "is not in any org of this sandbox"
    return _page(
        "Record not found · Salesforce sandbox",
        f"<h1>Record not found</h1><p class='sub'>The record <code>{escape(record_id)}</code> {why}.</p>",
    )
