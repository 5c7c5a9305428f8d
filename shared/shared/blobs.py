"""Content-addressed blob store: the bytes of each publication, kept once.

The interface is small so an object store can replace the directory later: the bytes, and
a mark that a blob has been published (ingest's content dedupe, kept beside the bytes
rather than in Redis, so it costs Redis nothing and survives a flush).
"""

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Protocol


class BlobMissing(LookupError):
    """No blob under that key."""


class BlobStore(Protocol):
    def put(self, data: bytes) -> str: ...
    def get(self, key: str) -> bytes: ...
    def mark_published(self, key: str) -> None: ...
    def is_published(self, key: str) -> bool: ...


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class DirectoryBlobStore:
    """Blobs as files `<root>/ab/cd/<sha256>`; the key is the sha256 of the bytes."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if len(key) != 64 or any(c not in "0123456789abcdef" for c in key):
            raise BlobMissing(f"not a blob key: {key!r}")
        return self.root / key[:2] / key[2:4] / key

    def put(self, data: bytes) -> str:
        key = sha256_hex(data)
        path = self._path(key)
        if path.exists():
            return key
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write, fsync, rename: a reader never sees half a file, and a crash leaves no blob
        # behind that claims to be complete.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return key

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError as exc:
            raise BlobMissing(key) from exc

    def mark_published(self, key: str) -> None:
        """Durably note that this blob's DocumentFetched is on the stream."""
        marker = self._path(key).with_suffix(".published")
        fd = os.open(marker, os.O_WRONLY | os.O_CREAT, 0o644)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def is_published(self, key: str) -> bool:
        return self._path(key).with_suffix(".published").exists()

    def healthy(self) -> bool:
        self.root.mkdir(parents=True, exist_ok=True)
        return os.access(self.root, os.W_OK)
