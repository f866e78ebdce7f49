"""POST /api/auth/wechat/: a wx.login code, exchanged at a stand-in jscode2session, for a token."""

import socket
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from rest_framework.test import APIClient

from orders.wechatpay.models import WechatIdentity
from tests.conftest import require

URL = "/api/auth/wechat/"
OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"


def login(code="code-1"):
    return APIClient().post(URL, {"code": code}, format="json")


@pytest.mark.django_db
def test_a_first_login_creates_the_customer_and_answers_a_working_token(
    wechat_settings, wechat_server
):
    wechat_server.state.codes["code-1"] = OPENID

    response = login()

    assert response.status_code == 200
    identity = WechatIdentity.objects.select_related("user").get(openid=OPENID)
    assert identity.user.is_staff is False
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert client.get("/api/orders/").status_code == 200


@pytest.mark.django_db
def test_a_later_login_finds_the_same_customer_and_token(wechat_settings, wechat_server):
    wechat_server.state.codes.update({"code-1": OPENID, "code-2": OPENID})
    first = login("code-1")

    second = login("code-2")

    assert second.json() == first.json()
    assert WechatIdentity.objects.count() == get_user_model().objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("errcode", "status"),
    [
        (40029, 400),  # invalid code
        (40163, 400),  # code already used
        (45011, 429),  # WeChat's rate limit
        (40226, 403),  # high-risk user
        (-1, 502),  # WeChat busy
    ],
)
def test_a_jscode2session_errcode_becomes_a_clear_answer(
    wechat_settings, wechat_server, errcode, status
):
    wechat_server.state.codes["code-1"] = errcode

    response = login()

    assert response.status_code == status
    assert response.json()["errcode"] == errcode
    assert response.json()["detail"]
    assert not WechatIdentity.objects.exists()


@pytest.mark.django_db
def test_wechats_rate_limit_tells_the_client_when_to_retry(wechat_settings, wechat_server):
    wechat_server.state.codes["code-1"] = 45011

    assert login()["Retry-After"] == "60"


@pytest.mark.django_db
def test_a_code_is_good_for_one_login_only(wechat_settings, wechat_server):
    wechat_server.state.codes["code-1"] = OPENID
    login()

    again = login()

    assert (again.status_code, again.json()["errcode"]) == (400, 40163)


@pytest.mark.django_db
def test_a_wrong_appsecret_is_the_shops_fault_not_the_users(wechat_settings):
    wechat_settings.WECHAT_APPSECRET = "not-the-secret"

    response = login()

    assert (response.status_code, response.json()["errcode"]) == (502, 40125)


@pytest.mark.django_db
def test_an_unreachable_wechat_is_a_502(wechat_settings):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        wechat_settings.WECHAT_API_BASE = f"http://127.0.0.1:{probe.getsockname()[1]}"

    assert login().status_code == 502


@pytest.mark.django_db
def test_a_disabled_customer_cannot_log_in(wechat_settings, wechat_server):
    wechat_server.state.codes.update({"code-1": OPENID, "code-2": OPENID})
    login("code-1")
    get_user_model().objects.update(is_active=False)

    assert login("code-2").status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("body", [{}, {"code": ""}, {"code": "x" * 129}])
def test_a_missing_or_malformed_code_is_a_400(wechat_settings, body):
    assert APIClient().post(URL, body, format="json").status_code == 400


@pytest.mark.django_db
def test_deeply_nested_json_is_a_400(wechat_settings):
    response = APIClient().post(URL, b"[" * 5000 + b"]" * 5000, content_type="application/json")

    assert response.status_code == 400


@pytest.mark.django_db
def test_without_an_appsecret_login_is_not_found(wechat_settings):
    wechat_settings.WECHAT_APPSECRET = ""

    assert login().status_code == 404


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_first_logins_create_one_customer(wechat_settings, wechat_server):
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL) is needed")
    codes = [f"code-{n}" for n in range(8)]
    wechat_server.state.codes.update(dict.fromkeys(codes, OPENID))

    def login_in_thread(code):
        try:
            return login(code).json()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(login_in_thread, codes))

    assert len({answer["token"] for answer in answers}) == 1
    assert WechatIdentity.objects.count() == get_user_model().objects.count() == 1
