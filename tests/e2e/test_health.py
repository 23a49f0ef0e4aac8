"""The health check that load balancers and `live_site` poll."""

import json
import urllib.request

import pytest

pytestmark = pytest.mark.e2e


def test_healthz_answers_ok_in_json(live_site):
    with urllib.request.urlopen(f"{live_site}/healthz", timeout=5) as response:  # noqa: S310 (local http)
        assert response.status == 200
        assert response.headers.get_content_type() == "application/json"
        body = json.loads(response.read())
    assert body["status"] == "ok"
