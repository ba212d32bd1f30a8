"""The raw layer: every fetched body stored once, gzip-compressed, addressed by its SHA-256."""
from __future__ import annotations

import gzip
import hashlib
import os
import tempfile
from pathlib import Path


class RawStore:
    """Content-addressed files under ``root``: ``ab/abcdef....gz``. Writes are atomic and idempotent."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def path_of(self, sha256: str) -> Path:
        return self.root / sha256[:2] / f"{sha256}.gz"

    def put(self, body: bytes) -> str:
        """Store a body (if not stored yet) and return its SHA-256."""
        sha256 = hashlib.sha256(body).hexdigest()
        target = self.path_of(sha256)
        if target.exists():
            return sha256
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(gzip.compress(body, compresslevel=6, mtime=0))
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return sha256

    def get(self, sha256: str) -> bytes:
        """Return a stored body; raises FileNotFoundError if the raw layer lacks it."""
        return gzip.decompress(self.path_of(sha256).read_bytes())

    def has(self, sha256: str) -> bool:
        return self.path_of(sha256).exists()
