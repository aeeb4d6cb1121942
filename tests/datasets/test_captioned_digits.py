import pytest
import torch

from greenreg.datasets import CaptionedDigitsDataset, CaptionPromptDataset, CaptionTokenizer
from greenreg.datasets.captions import CAPTION_TEMPLATES, DIGIT_WORDS, caption_for
from greenreg.registry import DATASETS


def test_builds_from_registry_with_images_in_range_and_captions_naming_the_label():
    ds = DATASETS.build(dict(type="CaptionedDigitsDataset", source="digits", image_size=8))
    item = ds[3]
    assert item["inputs"].shape == (1, 8, 8)
    assert ds.images.min() >= -1 and ds.images.max() <= 1
    assert ds.images.min() == -1  # background maps to -1
    for caption, label in zip(ds.captions[:50], ds.labels[:50]):
        words = caption.split()
        assert DIGIT_WORDS[int(label)] in words or str(int(label)) in words


def test_heldout_and_train_splits_are_disjoint_and_cover_everything():
    train = CaptionedDigitsDataset("digits", "train", 8, heldout_size=300)
    heldout = CaptionedDigitsDataset("digits", "heldout", 8, heldout_size=300)
    everything = CaptionedDigitsDataset("digits", "all", 8, heldout_size=300)
    assert len(train) + len(heldout) == len(everything) == 1797
    flat = lambda d: {tuple(x.flatten().tolist()) for x in d.images}  # noqa: E731
    # a few digits images repeat exactly; the splits must share (almost) none
    assert len(flat(train) & flat(heldout)) < 5


def test_mnist_is_padded_to_32_without_resampling():
    ds = CaptionedDigitsDataset("mnist", "heldout", 32, num_samples=5)
    assert ds.images.shape == (5, 1, 32, 32)
    assert torch.all(ds.images[:, :, :2] == -1)  # the 2-pixel pad is background


def test_tokenizer_encodes_every_template_without_unknowns_and_pads_with_zero():
    tok = CaptionTokenizer(max_length=8)
    captions = [caption_for(d, k) for d in range(10) for k in range(len(CAPTION_TEMPLATES))]
    ids = tok.encode(captions)
    assert ids.shape == (len(captions), 8)
    assert not (ids == 1).any()  # no <unk>
    assert (ids[:, -1] == 0).all()  # every caption is shorter than 8 words
    assert tok.encode(["a handwritten banana"])[0, 2] == 1


def test_prompt_dataset_gives_each_prompt_its_own_seed():
    ds = CaptionPromptDataset(samples_per_digit=3, base_seed=10)
    assert len(ds) == 30
    assert [ds[i]["seed"] for i in range(3)] == [10, 11, 12]
    assert ds[29]["label"] == 9


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(source="cifar"), "source"),
        (dict(split="test"), "split"),
        (dict(source="digits", heldout_size=5000), "heldout_size"),
        (dict(source="digits", num_samples=0), "num_samples"),
    ],
)
def test_bad_arguments_name_the_argument(kwargs, match):
    with pytest.raises(ValueError, match=match):
        CaptionedDigitsDataset(**kwargs)
