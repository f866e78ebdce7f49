"""Frames built once for every page (notifications.wire)."""

import struct

import pytest

from notifications.wire import text_frame


def decode(frame: bytes) -> tuple[int, str]:
    """(first byte, payload) of an unmasked server frame, per RFC 6455 section 5.2."""
    first, second = frame[0], frame[1]
    assert second & 0x80 == 0, "server frames are not masked"
    length, offset = second & 0x7F, 2
    if length == 126:
        (length,) = struct.unpack("!H", frame[2:4])
        offset = 4
    elif length == 127:
        (length,) = struct.unpack("!Q", frame[2:10])
        offset = 10
    payload = frame[offset:]
    assert len(payload) == length
    return first, payload.decode()


@pytest.mark.parametrize("size", [0, 1, 125, 126, 65535, 65536, 70000])
def test_text_frame_is_a_final_text_frame_with_the_payload(size):
    text = "订" * (size // 3) + "x" * (size % 3)

    assert decode(text_frame(text)) == (0x81, text)


def test_text_frame_uses_the_shortest_length_encoding():
    assert len(text_frame("x" * 125)) == 2 + 125
    assert len(text_frame("x" * 126)) == 4 + 126
    assert len(text_frame("x" * 65536)) == 10 + 65536
