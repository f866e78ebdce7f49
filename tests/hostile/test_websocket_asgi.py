"""Hostile frames against the real ASGI application (WebsocketCommunicator)."""

import asyncio
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import open_admin_socket

pytestmark = pytest.mark.django_db(transaction=True)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
actions = (
    st.sampled_from(["ack", "ping", "Ping", "", "close", "subscribe", "__class__"]) | st.text()
)
frames = st.one_of(
    st.binary(max_size=64),
    st.text(max_size=64),
    json_values.map(json.dumps),
    st.builds(lambda action: json.dumps({"action": action}), actions),
    st.builds(lambda value: json.dumps({"action": "ack", "id": value}), json_values),
    st.integers(min_value=1, max_value=3000).map(lambda depth: "[" * depth + "]" * depth),
    st.integers(min_value=4000, max_value=70_000).map(lambda size: json.dumps({"p": "x" * size})),
)


def is_answer(frame: dict) -> bool:
    return frame == {"event": "pong"} or (
        set(frame) == {"event", "message"}
        and frame["event"] == "error"
        and isinstance(frame["message"], str)
    )


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(frame=frames)
async def test_every_frame_gets_an_answer_and_the_socket_stays_open(staff_token, frame, figures):
    figures.inputs(1)
    socket = await open_admin_socket(token=staff_token, protocol=False)
    try:
        # send_input, not send_to: an empty frame is a frame too.
        key = "bytes" if isinstance(frame, bytes) else "text"
        await socket.send_input({"type": "websocket.receive", key: frame})
        assert is_answer(await socket.receive_json_from(timeout=5))
        await socket.send_json_to({"action": "ping"})
        assert await socket.receive_json_from(timeout=5) == {"event": "pong"}
    finally:
        await socket.disconnect()


async def test_a_socket_sending_a_hundred_frames_a_second_is_closed_with_4429(staff_token):
    socket = await open_admin_socket(token=staff_token, protocol=False)
    for _ in range(1000):  # ten seconds at most
        await socket.send_json_to({"action": "ping"})
        await asyncio.sleep(0.01)
        while not await socket.receive_nothing(timeout=0):
            output = await socket.receive_output()
            if output["type"] == "websocket.close":
                assert output == {"type": "websocket.close", "code": 4429}
                return
    pytest.fail("a socket sending 100 frames a second for 10 s was never closed")
