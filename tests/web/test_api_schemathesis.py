"""schemathesis drives every API operation from the OpenAPI schema: no answer may be a 5xx.

It runs on its own demo workspace (writes with generated data must not disturb the shared one),
as an admin's token (every write allowed) and as a client-viewer's (most refused), and checks
each answer against the schema's response models.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

EXAMPLES = 12


@pytest.fixture(scope="module")
def fuzzed(demo_ws: Path):  # type: ignore[no-untyped-def]
    """Serve a demo workspace of this module's own and load the schema into schemathesis."""
    import schemathesis
    from django.core.wsgi import get_wsgi_application

    from dataward.core.workspace import open_workspace
    from dataward.web import tokens
    from dataward.web.api import api
    from dataward.web.app import serve, served

    ws = open_workspace(demo_ws, env={})
    serve(ws)
    schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
    schema.app = get_wsgi_application()
    keys = {u: tokens.create(ws, u, "schemathesis")[1] for u in ("demo-admin", "viewer-telora")}
    yield schema, keys
    served.ws = None


def _operations(schema: Any) -> list[Any]:
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("user", ["demo-admin", "viewer-telora"])
def test_no_operation_answers_with_a_server_error(fuzzed, user: str) -> None:  # type: ignore[no-untyped-def]
    schema, keys = fuzzed
    headers = {"Authorization": f"Bearer {keys[user]}"}
    operations = _operations(schema)
    assert len(operations) >= 10
    statuses: dict[str, set[int]] = {}

    for operation in operations:
        _fuzz(operation, headers, statuses)
    assert statuses  # every operation was called
    assert any(200 in codes for codes in statuses.values())


def _fuzz(operation: Any, headers: dict[str, str], statuses: dict[str, set[int]]) -> None:
    """Run generated cases of one operation; every answer must be below 500 and match its schema."""
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import response_schema_conformance

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def run(case: Any) -> None:
        response = case.call_and_validate(
            headers=headers, checks=[not_a_server_error, response_schema_conformance]
        )
        statuses.setdefault(operation.label, set()).add(response.status_code)

    run()
