"""The OpenAPI schema: valid, and no request drawn from it makes the API fail with a 5xx."""

import pytest
import schemathesis
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient

from tests.conftest import mark_paid, token_for

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 6


def test_schema_validates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", tmp_path / "s.yaml")


def test_schema_documents_every_customer_endpoint():
    schema = APIClient().get("/api/schema/?format=json").json()

    assert {
        "/api/orders/{order_id}/",
        "/api/orders/{order_id}/pay/",
        "/api/orders/{order_id}/cancel/",
        "/api/orders/{order_id}/pickup-code.svg",
        "/api/admin/orders/scan/",
        "/api/events/",
    } <= set(schema["paths"])


# In-process WSGI requests close the connection as a server does (request_started), so this
# test runs with real commits rather than inside a test transaction.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("who", ["customer", "staff"])
def test_no_request_drawn_from_the_schema_gets_a_server_error(who, customer, staff, order):
    mark_paid(order)
    key = token_for(customer if who == "customer" else staff)
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    failures = []

    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            if case.path == "/api/events/":
                # The long-poll waits by design; 0 keeps this run bounded (its own tests wait).
                case.query = {**(case.query or {}), "timeout": "0"}
            response = case.call(headers={"Authorization": f"Token {key}"})
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.status_code}")

        check()

    assert failures == []
