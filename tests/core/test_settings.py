import os
import subprocess
import sys
from pathlib import Path

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]


def _production_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}  # set for Playwright only
    return {
        **env,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": "k7#Qz9!vP2@wL5$mN8^rT1&yB4*cX6(jH3)fD0_sG-uE+aZ=oI",
        "FIELD_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "switchboard.example.com",
    }


def test_production_settings_pass_check_deploy_with_no_warnings():
    env = _production_env()
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_logs_are_json_lines():
    env = _production_env()
    code = "import django, logging; django.setup(); logging.getLogger('switchboard').warning('hello', extra={'job': 7})"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    import json

    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert line["message"] == "hello"
    assert line["level"] == "WARNING"
    assert line["job"] == 7


def test_production_never_reaches_this_machine_and_forms_only_go_to_salesforce():
    code = (
        "import json; from django.conf import settings as s; "
        "print(json.dumps([s.SALESFORCE_ALLOW_LOOPBACK_HTTP, s.HTTP_ALLOW_LOCAL_ADDRESSES, "
        "s.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action']]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=_production_env(), capture_output=True, text=True, timeout=120
    )
    import json

    loopback, local, form_action = json.loads(result.stdout.strip().splitlines()[-1])
    assert loopback is False and local is False
    assert "https://*.salesforce.com" in form_action
    assert not [t for t in form_action if "localhost" in t or "127.0.0.1" in t]
