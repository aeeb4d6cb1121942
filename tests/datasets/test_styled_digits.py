"""StyledDigitsDataset and the style renderings: exact ground truth for style transfer."""

import pytest
import torch

from greenreg.datasets import STYLES, StyledDigitsDataset, render_style
from greenreg.registry import DATASETS


@pytest.fixture(scope="module")
def heldout():
    return DATASETS.build(dict(type="StyledDigitsDataset", split="heldout", num_digits=12))


def test_every_digit_appears_in_every_style_with_its_structure(heldout):
    assert len(heldout) == 12 * len(STYLES)
    for k in (0, 7, len(heldout) - 1):
        item = heldout[k]
        digit, style = divmod(k, len(STYLES))
        structure = (item["source"] + 1) / 2
        expected = render_style(structure[None], STYLES[style])[0] * 2 - 1
        assert torch.equal(item["inputs"], expected)
        assert int(item["label"]) == style and item["source"].shape == (1, 32, 32)
        assert torch.equal(item["source"], heldout[digit * len(STYLES)]["source"])
    assert float(heldout[0]["inputs"].min()) >= -1 and float(heldout[0]["inputs"].max()) <= 1


def test_the_styles_do_what_they_say():
    x = torch.zeros(1, 1, 16, 16)
    x[..., 6:10, 7:9] = 1.0  # a 4 x 2 bar
    thick = render_style(x, "thick")
    assert thick.sum() == (6 * 4) and torch.equal(thick * x, x)  # grows by 1 px each side
    outline = render_style(x, "outline")
    assert float((outline * x).sum()) == 0 and outline.sum() == 24 - 8  # the ring only
    assert torch.equal(render_style(x, "inverted"), 1 - x)
    shadow = render_style(x, "shadow")
    assert float(shadow[0, 0, 11, 10]) == 0.5 and torch.equal(shadow * x, x)
    stripes = render_style(x, "stripes")
    assert 0 < stripes.sum() < x.sum() and bool((stripes <= x).all())
    slant = render_style(x, "slant")
    assert float(slant.sum()) == pytest.approx(float(x.sum()), rel=0.05) and not torch.equal(
        slant, x
    )


def test_a_subset_of_styles_keeps_the_global_style_index():
    data = StyledDigitsDataset(split="heldout", styles=["slant", "inverted"], num_digits=3)
    assert len(data) == 6 and [int(data[k]["label"]) for k in (0, 1)] == [2, 5]


def test_unknown_styles_are_named():
    with pytest.raises(KeyError, match="unknown style.*'bold'"):
        StyledDigitsDataset(split="heldout", styles=["thick", "bold"], num_digits=2)
    with pytest.raises(KeyError, match="'bold'"):
        render_style(torch.zeros(1, 1, 4, 4), "bold")
