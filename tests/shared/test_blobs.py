import pytest

from shared.blobs import BlobMissing, DirectoryBlobStore, sha256_hex


def test_content_addressed_put_get(tmp_path):
    store = DirectoryBlobStore(tmp_path)
    key = store.put(b"hello")
    assert key == sha256_hex(b"hello")
    assert store.put(b"hello") == key
    assert store.get(key) == b"hello"
    assert not list(tmp_path.rglob(".tmp-*"))


def test_missing_and_hostile_keys(tmp_path):
    store = DirectoryBlobStore(tmp_path)
    with pytest.raises(BlobMissing):
        store.get("0" * 64)
    with pytest.raises(BlobMissing):
        store.get("../../etc/passwd")
