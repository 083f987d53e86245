"""The prediction API keeps its own contract: schemathesis, the OpenAPI fuzzer, sends
what the schema allows and much that it does not, to the app itself (no network), and
every check passes: no 5xx, every status and body as the schema documents them.

(schemathesis's own pytest plugin does not run under pytest 9, so each operation's
cases are drawn here with hypothesis: a fixed seed, a bounded number of examples.)
"""

from __future__ import annotations

import pytest
import schemathesis
import schemathesis.specs.openapi.checks
from hypothesis import HealthCheck, given, seed, settings
from schemathesis.checks import CHECKS
from schemathesis.generation import GenerationMode

from scripts.api.app import create_app

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def api_schema(built_board):
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(str(built_board)))


POSITIVE, NEGATIVE = GenerationMode.POSITIVE, GenerationMode.NEGATIVE


# The GET operations but /tables/{name} take no input, so there is nothing invalid to send them.
@pytest.mark.parametrize(
    ("path", "method", "mode"),
    [
        ("/predict", "POST", POSITIVE),
        ("/predict", "POST", NEGATIVE),
        ("/ping", "GET", POSITIVE),
        ("/metadata", "GET", POSITIVE),
        ("/prototype", "GET", POSITIVE),
        ("/tables", "GET", POSITIVE),
        ("/tables/{name}", "GET", POSITIVE),
        ("/tables/{name}", "GET", NEGATIVE),
    ],
    ids=["predict-valid", "predict-invalid", "ping", "metadata", "prototype", "tables", "table", "table-invalid"],
)
def test_the_api_keeps_its_contract(api_schema, path, method, mode):
    # every check schemathesis has (its CLI's --checks all), on valid and on invalid data
    operation = api_schema[path][method]

    @seed(20261202)
    @settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case):
        case.call_and_validate(checks=CHECKS.get_all())

    check()
