"""CIFAR10Dataset: a tiny fake CIFAR-10, written like the real files, as folder and archive."""

import io
import os
import pickle
import struct
import tarfile

import numpy as np
import pytest
import torch

from greenreg.registry import DATASETS

PER_BATCH = 4
TRAIN_NAMES = [f"data_batch_{i}" for i in range(1, 6)]


class Py2Pickler(pickle._Pickler):
    """Pickles as Python 2's cPickle did for the real CIFAR-10 files (protocol 2).

    Strings are byte strings (BINSTRING, no ``_codecs.encode``) and numpy's rebuilder is named
    ``numpy.core.multiarray._reconstruct``; the loader reads them with ``encoding='bytes'``.
    """

    dispatch = pickle._Pickler.dispatch.copy()

    def save_bytes(self, obj):
        if len(obj) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(obj)]) + obj)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", len(obj)) + obj)

    def save_str(self, obj):
        self.save_bytes(obj.encode("latin1"))

    def save_global(self, obj, name=None):
        module = obj.__module__.replace("numpy._core", "numpy.core")
        self.write(pickle.GLOBAL + f"{module}\n{name or obj.__qualname__}\n".encode())

    dispatch[bytes] = save_bytes
    dispatch[str] = save_str


def py2_pickle(obj) -> bytes:
    buffer = io.BytesIO()
    Py2Pickler(buffer, protocol=2).dump(obj)
    return buffer.getvalue()


def make_batch(index: int, count: int = PER_BATCH) -> dict:
    """Batch ``index`` (0..4 train, 5 test): seeded pixels and labels (index * 4 + i) % 10."""
    rng = np.random.default_rng(index)
    data = rng.integers(0, 256, size=(count, 3072), dtype=np.uint8)
    data[0, :] = 0  # image 0: black but for one pixel (channel 1, row 2, column 5) at 255
    data[0, 1 * 1024 + 2 * 32 + 5] = 255
    return {
        b"batch_label": b"training batch %d of 5" % (index + 1),
        b"labels": [(index * PER_BATCH + i) % 10 for i in range(count)],
        b"data": data,
        b"filenames": [b"img_%d_%d.png" % (index, i) for i in range(count)],
    }


BATCHES = {name: make_batch(i) for i, name in enumerate(TRAIN_NAMES + ["test_batch"])}


def write_folder(folder, batches=BATCHES, dump=py2_pickle):
    folder.mkdir(parents=True, exist_ok=True)
    for name, batch in batches.items():
        (folder / name).write_bytes(batch if isinstance(batch, bytes) else dump(batch))
    (folder / "batches.meta").write_bytes(py2_pickle({b"label_names": [b"airplane"] * 10}))
    return folder


def write_archive(path, batches=BATCHES, prefix="cifar-10-batches-py"):
    source = write_folder(path.parent / "staging", batches)
    with tarfile.open(path, "w:gz") as archive:
        archive.add(source, arcname=prefix)
    return path


def build(root, **kwargs):
    return DATASETS.build(dict(type="CIFAR10Dataset", root=str(root), **kwargs))


@pytest.fixture(scope="module")
def layouts(tmp_path_factory):
    """The four accepted roots: batches folder, its parent, the archive, the archive's parent."""
    base = tmp_path_factory.mktemp("cifar")
    folder = write_folder(base / "extracted" / "cifar-10-batches-py")
    archive = write_archive(base / "downloads" / "cifar-10-python.tar.gz")
    return dict(folder=folder, parent=folder.parent, archive=archive, archive_parent=archive.parent)


def expected_images(names):
    data = np.concatenate([BATCHES[name][b"data"] for name in names])
    return torch.from_numpy(data).reshape(-1, 3, 32, 32).float() / 127.5 - 1


def test_the_fake_batches_are_written_like_the_real_files():
    blob = py2_pickle(BATCHES["test_batch"])
    assert blob.startswith(b"\x80\x02") and b"cnumpy.core.multiarray\n_reconstruct\n" in blob
    assert b"_codecs" not in blob and b"numpy._core" not in blob


@pytest.mark.parametrize("layout", ["folder", "parent", "archive", "archive_parent"])
def test_every_layout_builds_both_splits_with_pixels_and_labels_intact(layouts, layout):
    train = build(layouts[layout])
    test = build(layouts[layout], split="test")
    assert (len(train), len(test)) == (5 * PER_BATCH, PER_BATCH)
    assert torch.equal(train.images, expected_images(TRAIN_NAMES))
    assert torch.equal(test.images, expected_images(["test_batch"]))
    labels = [label for name in TRAIN_NAMES for label in BATCHES[name][b"labels"]]
    assert train.labels.tolist() == labels and train.labels.dtype == torch.int64
    item = test[1]
    assert item["inputs"].shape == (3, 32, 32) and item["inputs"].dtype == torch.float32
    assert item["label"].dtype == torch.int64 and item["label"].shape == ()
    assert int(item["label"]) == BATCHES["test_batch"][b"labels"][1]


def test_row_major_layout_is_three_channel_planes_and_255_0_map_to_plus_minus_one(layouts):
    x = build(layouts["folder"])[0]["inputs"]  # data_batch_1 image 0: one 255 at (1, 2, 5)
    assert x[1, 2, 5] == 1.0
    x[1, 2, 5] = -1.0
    assert torch.equal(x, torch.full((3, 32, 32), -1.0))


def test_images_is_float_in_minus_one_one_from_uint8_pixels(layouts):
    data = build(layouts["folder"], split="test")
    assert data._pixels.dtype == torch.uint8 and data._pixels.shape == (PER_BATCH, 3, 32, 32)
    assert data.images.dtype == torch.float32 and data.images.shape == (PER_BATCH, 3, 32, 32)
    assert torch.equal(data.images, torch.stack([data[i]["inputs"] for i in range(len(data))]))
    assert data.images.min() >= -1 and data.images.max() <= 1


def test_hflip_prob_one_flips_every_item_and_zero_draws_nothing(layouts):
    plain = build(layouts["folder"], split="test")
    flipped = build(layouts["folder"], split="test", hflip_prob=1.0)
    for i in range(len(plain)):
        assert torch.equal(flipped[i]["inputs"], torch.flip(plain[i]["inputs"], dims=[-1]))
    state = torch.get_rng_state()
    plain[0]
    assert torch.equal(torch.get_rng_state(), state)  # evaluation leaves the RNG alone


def test_hflip_half_flips_some_items_and_follows_torch_seed(layouts):
    data = build(layouts["folder"], split="test", hflip_prob=0.5)
    unflipped = data.images[0]

    def flips():
        return [not torch.equal(data[0]["inputs"], unflipped) for _ in range(64)]

    torch.manual_seed(0)
    first = flips()
    torch.manual_seed(0)
    assert flips() == first and 0 < sum(first) < 64


def test_max_items_keeps_the_first_n_and_reads_no_further_batch(tmp_path):
    batches = dict(BATCHES, data_batch_3=b"not a pickle", data_batch_4=b"", data_batch_5=b"")
    folder = write_folder(tmp_path / "cifar-10-batches-py", batches)
    data = build(folder, max_items=6)
    assert len(data) == 6 and len(data.images) == 6
    assert torch.equal(data.images, expected_images(TRAIN_NAMES[:2])[:6])
    assert len(build(folder, split="test", max_items=100)) == PER_BATCH  # all, when fewer
    with pytest.raises(ValueError, match="data_batch_3.*not a readable CIFAR-10 batch"):
        build(folder, max_items=9)


def test_batches_pickled_by_python_3_load_too(tmp_path):
    folder = write_folder(tmp_path, dump=lambda batch: pickle.dumps(batch, protocol=4))
    assert torch.equal(build(folder).images, expected_images(TRAIN_NAMES))


def test_missing_root_says_how_to_get_the_data(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        build(tmp_path / "absent")
    message = str(info.value)
    assert message.startswith("CIFAR10Dataset.root (*.dataset.root): no file or folder")
    assert (
        "never downloaded" in message and "https://www.cs.toronto.edu/~kriz/cifar.html" in message
    )
    assert "download cifar-10-python.tar.gz" in message


def test_folder_without_batches_lists_what_was_looked_for(tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(FileNotFoundError, match=r"data_batch_1.*cifar-10-batches-py/.*notes\.txt"):
        build(tmp_path)
    write_folder(tmp_path / "cifar-10-batches-py", {"test_batch": BATCHES["test_batch"]})
    assert len(build(tmp_path, split="test")) == PER_BATCH
    with pytest.raises(FileNotFoundError, match=r"no CIFAR-10 batches \['data_batch_1'"):
        build(tmp_path)  # the train batches are missing


def test_archive_without_batches_or_not_a_tar_is_refused(tmp_path):
    archive = write_archive(tmp_path / "a.tar.gz", BATCHES, prefix="other-name")
    with pytest.raises(FileNotFoundError, match="lacks CIFAR-10 batches.*cifar-10-batches-py/"):
        build(archive)
    text = tmp_path / "cifar-10-python.tar.gz"
    text.write_text("<html>a login page, not the archive</html>")
    with pytest.raises(ValueError, match="not a readable tar archive"):
        build(text)
    good = write_archive(tmp_path / "good.tar.gz")
    truncated = tmp_path / "truncated.tar.gz"  # a cut-off download
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(ValueError, match="not a readable tar archive"):
        build(truncated)


def malformed(**changes):
    batch = {**BATCHES["test_batch"], **{k.encode(): v for k, v in changes.items()}}
    return {k: v for k, v in batch.items() if v is not None}


@pytest.mark.parametrize(
    "batch, match",
    [
        (malformed(labels=None), r"expected a dict with keys b'data' and b'labels'"),
        (malformed(data=np.zeros((4, 1024), np.uint8)), r"shape \(N, 3072\).*\(4, 1024\)"),
        (malformed(data=np.zeros((4, 3072), np.float32)), r"uint8.*got dtype float32"),
        (malformed(data=[0] * 3072), r"b'data'.*got a list"),
        (malformed(labels=[0, 1, 2]), r"4 integers in \[0, 9\].*shape \(3,\)"),
        (malformed(labels=[0, 1, 2, 10]), r"b'labels'.*\[0, 9\]"),
        ([1, 2, 3], r"expected a dict .* got list"),
        (b"\x80\x02}q\x01(U\x04data", r"not a readable CIFAR-10 batch.*EOFError"),
    ],
)
def test_malformed_batches_are_refused_with_what_was_expected(tmp_path, batch, match):
    blob = batch if isinstance(batch, bytes) else py2_pickle(batch)
    write_folder(tmp_path, {"test_batch": blob})
    with pytest.raises(ValueError, match=match):
        build(tmp_path, split="test")


class RunsAShellCommand:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


def test_a_pickle_naming_another_global_is_refused_and_not_run(tmp_path):
    marker = tmp_path / "was_run"
    batch = {**BATCHES["test_batch"], b"data": RunsAShellCommand(marker)}
    write_folder(tmp_path / "cifar-10-batches-py", {"test_batch": pickle.dumps(batch)})
    archive = tmp_path / "cifar-10-python.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(tmp_path / "cifar-10-batches-py", arcname="cifar-10-batches-py")
    for root in (tmp_path, archive):
        with pytest.raises(ValueError, match=r"UnpicklingError: global (posix|nt|os)\.system"):
            build(root, split="test")
    assert not marker.exists()


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(split="val"), r"CIFAR10Dataset\.split .*\('train', 'test'\), got 'val'"),
        (dict(hflip_prob=1.5), r"CIFAR10Dataset\.hflip_prob .*\[0, 1\], got 1\.5"),
        (dict(hflip_prob=-0.1), r"hflip_prob .*got -0\.1"),
        (dict(hflip_prob=True), r"hflip_prob .*got True"),
        (dict(max_items=0), r"CIFAR10Dataset\.max_items .*int >= 1, got 0"),
        (dict(max_items=2.0), r"max_items .*got 2\.0"),
    ],
)
def test_bad_arguments_are_refused_before_any_file_is_read(tmp_path, kwargs, match):
    with pytest.raises(ValueError, match=match):
        build(tmp_path / "absent", **kwargs)
