import gzip

import numpy as np
import pytest

from support import ROOT, SHARED_MNIST
from exhibit.learn.mnist import IdxError, load_split, parse_idx


def idx_bytes(arr: np.ndarray) -> bytes:
    head = bytes([0, 0, 8, arr.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in arr.shape)
    return head + arr.astype(np.uint8).tobytes()


def test_parse_round_trip():
    arr = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    np.testing.assert_array_equal(parse_idx(idx_bytes(arr)), arr)


@pytest.mark.parametrize("data, message", [
    (b"\x00\x01\x08\x01\x00\x00\x00\x01\x05", "magic"),
    (b"\x00\x00\x0d\x01\x00\x00\x00\x01\x05", "unsigned bytes"),
    (b"\x00\x00\x08\x03\x00\x00", "truncated"),
    (b"\x00\x00\x08\x01\x00\x00\x00\x05\x01\x02", "5 bytes"),
])
def test_parse_rejects_bad_files(data, message):
    with pytest.raises(IdxError, match=message):
        parse_idx(data, "x")


def test_bundled_test_set(mnist_test):
    x, y = mnist_test
    assert x.shape == (10000, 28, 28) and y.shape == (10000,)
    assert list(y[:10]) == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert x.dtype == np.uint8 and x.max() == 255


def test_gzipped_and_plain_files_read_the_same(tmp_path, mnist_test):
    x, y = mnist_test
    for name, arr in (("t10k-images-idx3-ubyte", x[:50]), ("t10k-labels-idx1-ubyte", y[:50])):
        (tmp_path / name).write_bytes(idx_bytes(arr))
    px, py = load_split(tmp_path, "test")
    np.testing.assert_array_equal(px, x[:50])
    np.testing.assert_array_equal(py, y[:50])
    gz = tmp_path / "gz"
    gz.mkdir()
    for name, arr in (("t10k-images-idx3-ubyte.gz", x[:50]), ("t10k-labels-idx1-ubyte.gz", y[:50])):
        (gz / name).write_bytes(gzip.compress(idx_bytes(arr)))
    gx, _ = load_split(gz, "test")
    np.testing.assert_array_equal(gx, x[:50])


def test_the_real_mnist_files():
    """The bundled test set."""
    x, y = load_split(ROOT / "assets" / "mnist", "test")
    assert x.shape == (10000, 28, 28)
    assert list(y[:10]) == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]


@pytest.mark.skipif(not SHARED_MNIST.is_dir(), reason="the MNIST training set (../shared/data/mnist)"
                    " is not beside this checkout: training data stays outside the repository")
def test_loads_the_full_mnist_training_set():
    x, y = load_split(SHARED_MNIST, "train")
    assert x.shape == (60000, 28, 28)
    assert list(y[:10]) == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
