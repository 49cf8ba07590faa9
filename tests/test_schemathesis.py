"""Property-based API testing from the OpenAPI schema (schemathesis): no input makes a 5xx."""
from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings

from graph.memory.store import MemoryStore
from tests.apps import app_with_admin, bearer
from tests.test_gap_rules import build

_store = MemoryStore()
build(_store)
app, _token = app_with_admin(lambda: _store)
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case):
    response = case.call(headers=bearer(_token))
    assert response.status_code < 500, f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:300]}"
