"""The outside world of a browser test: a customer ordering and the payment provider paying.

Everything goes over HTTP to the running server, exactly as the real clients do.
"""

import copy
import hashlib
import hmac
import json
import secrets
import time

import httpx


class Shop:
    """A customer and the payment provider talking to one running server."""

    def __init__(
        self,
        base_url: str,
        *,
        customer: tuple[str, str],
        staff: tuple[str, str],
        notify_secret: str,
    ):
        self.base_url = base_url
        self.notify_secret = notify_secret
        self.customer_token = self._token(*customer)
        self.staff_token = self._token(*staff)

    def via(self, base_url: str) -> "Shop":
        """The same customer and provider, talking to another server process."""
        other = copy.copy(self)
        other.base_url = base_url
        return other

    def _token(self, username: str, password: str) -> str:
        response = httpx.post(
            f"{self.base_url}/api/auth/token/", json={"username": username, "password": password}
        )
        assert response.status_code == 200, response.text
        return response.json()["token"]

    def place_order(self, *, remark: str = "") -> dict:
        """Order the first dish on the menu; answers the created order (id, number, amount)."""
        headers = {"Authorization": f"Token {self.customer_token}"}
        dishes = httpx.get(f"{self.base_url}/api/dishes/", headers=headers).json()
        dishes = dishes["results"] if isinstance(dishes, dict) else dishes
        response = httpx.post(
            f"{self.base_url}/api/orders/",
            headers=headers,
            json={
                "items": [{"dish": dishes[0]["id"], "quantity": 2}],
                "address": "人民路 1 号 3 楼",
                "remark": remark,
            },
        )
        assert response.status_code == 201, response.text
        return response.json()

    def pay(self, order: dict) -> None:
        """Send the provider's signed payment notify (contract section 4) for `order`."""
        body = json.dumps(
            {
                "out_trade_no": order["number"],
                "transaction_id": f"wx-{secrets.token_hex(8)}",
                "trade_state": "SUCCESS",
                "amount": {"total": order["amount"]},
            }
        ).encode()
        timestamp = str(int(time.time()))
        nonce = secrets.token_hex(8)
        message = b"\n".join([timestamp.encode(), nonce.encode(), body]) + b"\n"
        signature = hmac.new(self.notify_secret.encode(), message, hashlib.sha256).hexdigest()
        response = httpx.post(
            f"{self.base_url}/api/payments/notify/",
            content=body,
            headers={
                "Content-Type": "application/json",
                "X-Pay-Timestamp": timestamp,
                "X-Pay-Nonce": nonce,
                "X-Pay-Signature": signature,
            },
        )
        assert response.status_code == 200, response.text

    def place_paid_order(self, **kwargs) -> dict:
        """A new order that the provider has just paid: one type 1 alert on every screen."""
        order = self.place_order(**kwargs)
        self.pay(order)
        return order

    def urge(self, order: dict) -> None:
        """The customer urges the order (客户催单): one type 2 alert."""
        response = httpx.post(
            f"{self.base_url}/api/orders/{order['id']}/reminder/",
            headers={"Authorization": f"Token {self.customer_token}"},
        )
        assert response.status_code == 201, response.text

    def staff_act(self, order: dict, action: str, **body) -> None:
        """Move an order on as the staff would, through the board's API."""
        response = httpx.post(
            f"{self.base_url}/api/admin/orders/{order['id']}/{action}/",
            headers={"Authorization": f"Token {self.staff_token}"},
            json=body or None,
        )
        assert response.status_code == 200, response.text

    def clear_board(self) -> None:
        """Move every order still on the board off it, as the shop would at closing time."""
        headers = {"Authorization": f"Token {self.staff_token}"}
        endings = {
            "to_be_confirmed": ("reject", {"reason": "打烊"}),
            "confirmed": ("cancel", {"reason": "打烊"}),
            "delivering": ("complete", {}),
        }
        for status, (action, body) in endings.items():
            url = f"{self.base_url}/api/admin/orders/?status={status}"
            while orders := httpx.get(url, headers=headers).json()["results"]:
                for order in orders:
                    self.staff_act(order, action, **body)
