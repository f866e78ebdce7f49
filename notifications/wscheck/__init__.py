"""The connection-check page (/ws-check/) and its echo socket, for operators behind a proxy."""
