import pytest


@pytest.mark.django_db
def test_healthz_reports_database_and_broker(client, settings):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["status"] == "ok"
    assert body["broker"]["status"] == "ok"
    expected = "redis_broker" if settings.REDIS_URL else "orm"
    assert body["broker"]["kind"] == expected


@pytest.mark.django_db
def test_healthz_says_degraded_when_broker_is_down(client, monkeypatch):
    class UnreachableBroker:
        def ping(self):
            raise ConnectionError("Connection refused")

    monkeypatch.setattr("core.views.get_broker", lambda: UnreachableBroker())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"]["status"] == "down"
