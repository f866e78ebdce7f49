"""What the server processes logged during the timed part: their slow garbage collections."""

import re
from pathlib import Path

SLOW_COLLECTION = re.compile(rb"garbage collection of generation (\d) took (\d+) ms")


class LogWindow:
    """Remembers where each server log ended when the timed part began."""

    def __init__(self, paths: list[Path]):
        self.paths = paths
        self.offsets = [self._size(path) for path in paths]

    @staticmethod
    def _size(path: Path) -> int:
        try:
            return path.stat().st_size
        except OSError:
            return 0

    def read(self) -> bytes:
        """Everything the servers logged since the window opened."""
        chunks = []
        for path, offset in zip(self.paths, self.offsets, strict=True):
            try:
                with open(path, "rb") as log:
                    log.seek(offset)
                    chunks.append(log.read())
            except OSError:
                continue
        return b"".join(chunks)

    def slow_collections(self) -> dict:
        """Slow collections logged by the servers (takeout.gcpolicy): count, longest, per kind."""
        found = [(int(g), int(ms)) for g, ms in SLOW_COLLECTION.findall(self.read())]
        by_generation: dict[str, int] = {}
        for generation, _ in found:
            by_generation[str(generation)] = by_generation.get(str(generation), 0) + 1
        return {
            "count": len(found),
            "max_ms": max((ms for _, ms in found), default=None),
            "by_generation": by_generation,
        }
