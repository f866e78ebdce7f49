"""Load benchmark for the alert streams: the real stack against a minimal reference server."""
