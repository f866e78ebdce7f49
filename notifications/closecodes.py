"""WebSocket close codes the streams use (4000-4999 are the application's)."""

NOT_AUTHENTICATED = 4401
NOT_STAFF = 4403
BAD_REQUEST = 4400
NOT_FOUND = 4404
TOO_MANY_FRAMES = 4429
