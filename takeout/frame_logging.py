"""Stop autobahn styling a debug line for every WebSocket frame it writes.

autobahn's `sendData` builds the arguments of a `log.debug(...)` call for every frame, whether
or not debug logging is on, and with `click` importable that styling costs about 12 us a frame
(measured here): at a thousand pages and twenty alerts a second, a quarter of a core. The
highlighters only colour a message; with them replaced by plain values, autobahn's debug log
(when someone turns it on) still says the same, uncoloured.
"""


def _plain(value, *args, **kwargs):
    return value


def skip_per_frame_debug_formatting() -> None:
    """Replace the log highlighters that autobahn's protocol module calls per frame."""
    from autobahn.websocket import protocol

    protocol.hltype = _plain
    protocol.hlval = _plain
