"""Sources: what a flow starts from, for a training batch and for sampling."""

import pytest
import torch

from greenreg.models.sources import (
    BaseSource,
    CaptionGaussianSource,
    GaussianNoiseSource,
    PairedDataSource,
    SourceDraw,
)
from greenreg.registry import MODELS

SHAPE = (1, 8, 8)
CAPTION = dict(
    type="CaptionGaussianSource",
    text_encoder=dict(type="TransformerTextEncoder", vocab_size=35, width=16, depth=1, num_heads=2),
    conditioner=dict(type="PooledMLPConditioner", text_width=16, latent_shape=SHAPE),
)
CONFIGS = dict(
    gaussian=dict(type="GaussianNoiseSource"),
    caption=CAPTION,
    paired=dict(type="PairedDataSource", key="source"),
)


def batch(size: int, seed: int = 0) -> dict:
    g = torch.Generator().manual_seed(seed)
    return dict(
        inputs=torch.rand(size, *SHAPE, generator=g) * 2 - 1,
        source=torch.rand(size, *SHAPE, generator=g) * 2 - 1,
        tokens=torch.randint(1, 35, (size, 5), generator=g),
        label=torch.randint(0, 10, (size,), generator=g),
    )


def generators(seeds) -> list[torch.Generator]:
    return [torch.Generator().manual_seed(s) for s in seeds]


@pytest.mark.parametrize("name", CONFIGS)
def test_every_source_builds_and_draws_float32_sources_of_the_data_shape(name):
    source = MODELS.build(CONFIGS[name]).eval()
    assert isinstance(source, BaseSource)
    b = batch(4)
    drawn = source(b, b["inputs"])
    assert isinstance(drawn, SourceDraw)
    assert drawn.x0.shape == b["inputs"].shape and drawn.x0.dtype == torch.float32
    for value in drawn.extras.values():
        assert len(value) == 4  # batch dimension first, so couplings can reorder them
    sampled = source.draw(b, SHAPE, generators([1, 2, 3, 4]), "cpu")
    assert sampled.shape == (4, *SHAPE) and sampled.dtype == torch.float32
    assert set(source.keys) <= set(b)


@pytest.mark.parametrize("name", CONFIGS)
def test_seeded_draws_do_not_depend_on_the_batch_they_are_drawn_in(name):
    source = MODELS.build(CONFIGS[name]).eval()
    b = batch(4)
    four = source.draw(b, SHAPE, generators([7, 8, 9, 10]), "cpu")
    tail = {k: v[2:] for k, v in b.items()}
    two = source.draw(tail, SHAPE, generators([9, 10]), "cpu")
    torch.testing.assert_close(four[2:], two)
    again = source.draw(b, SHAPE, generators([7, 8, 9, 10]), "cpu")
    torch.testing.assert_close(four, again)


def test_gaussian_noise_is_each_seed_s_standard_normal():
    source = MODELS.build(dict(type="GaussianNoiseSource"))
    drawn = source.draw({}, SHAPE, generators([3, 5]), "cpu")
    for row, seed in zip(drawn, [3, 5]):
        torch.testing.assert_close(
            row, torch.randn(SHAPE, generator=torch.Generator().manual_seed(seed))
        )
    assert source.keys == ()


def test_gaussian_noise_is_standard_normal_and_float32_under_low_precision_data():
    source = GaussianNoiseSource()
    x1 = torch.zeros(512, *SHAPE, dtype=torch.bfloat16)
    x0 = source({}, x1).x0
    assert x0.dtype == torch.float32 and x0.shape == x1.shape
    assert abs(float(x0.mean())) < 0.03 and abs(float(x0.std()) - 1) < 0.03
    unseeded = source.draw(dict(label=torch.zeros(3)), SHAPE, None, "cpu")
    assert unseeded.shape == (3, *SHAPE)


def test_gaussian_noise_without_seeds_or_a_batch_tensor_cannot_tell_the_batch_size():
    with pytest.raises(ValueError, match="batch size"):
        GaussianNoiseSource().draw({}, SHAPE, None, "cpu")


def test_caption_source_reports_its_gaussian_and_draws_from_it():
    source = MODELS.build(CAPTION).eval()
    b = batch(3)
    drawn = source(b, b["inputs"])
    latent = source.encode(b["tokens"])
    assert set(drawn.extras) == {"mu", "log_var"}
    torch.testing.assert_close(drawn.extras["mu"], latent.mu)
    torch.testing.assert_close(drawn.extras["log_var"], latent.log_var)
    assert source.keys == ("tokens",) and source.shape == SHAPE
    # a seeded draw is mu + sigma * (that seed's standard normal)
    sampled = source.draw(b, SHAPE, generators([4, 5, 6]), "cpu")
    eps = (sampled - latent.mu) / torch.exp(0.5 * latent.log_var)
    for row, seed in zip(eps, [4, 5, 6]):
        expected = torch.randn((1, *SHAPE), generator=torch.Generator().manual_seed(seed))[0]
        torch.testing.assert_close(row, expected, atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize("temperature", [0.5, 0.7])
def test_caption_source_samples_at_its_temperature_and_trains_at_one(temperature):
    source = MODELS.build(dict(CAPTION, sample_temperature=temperature)).eval()
    b = batch(3)
    latent = source.encode(b["tokens"])
    sampled = source.draw(b, SHAPE, generators([4, 5, 6]), "cpu")
    eps = (sampled - latent.mu) / torch.exp(0.5 * latent.log_var)
    for row, seed in zip(eps, [4, 5, 6]):
        expected = torch.randn((1, *SHAPE), generator=torch.Generator().manual_seed(seed))[0]
        torch.testing.assert_close(row, temperature * expected, atol=1e-4, rtol=1e-4)
    # the training draw is the Gaussian itself: its spread does not shrink
    torch.manual_seed(0)
    drawn = source(batch(512), batch(512)["inputs"])
    noise = (drawn.x0 - drawn.extras["mu"]) / torch.exp(0.5 * drawn.extras["log_var"])
    assert abs(noise.std().item() - 1.0) < 0.02


@pytest.mark.parametrize("temperature", [0.0, -0.5, 1.5])
def test_caption_source_refuses_a_temperature_outside_zero_to_one(temperature):
    with pytest.raises(ValueError, match=r"sample_temperature.*\(0, 1\]"):
        MODELS.build(dict(CAPTION, sample_temperature=temperature))


def test_caption_source_gradients_reach_the_text_encoder():
    source = MODELS.build(CAPTION).train()
    b = batch(3)
    drawn = source(b, b["inputs"])
    (drawn.x0.sum() + drawn.extras["log_var"].sum()).backward()
    grads = [p.grad for p in source.text_encoder.parameters() if p.requires_grad]
    assert any(g is not None and g.abs().sum() > 0 for g in grads)


@pytest.mark.parametrize("key", ["tokens", "caption"])
def test_caption_source_names_a_missing_key(key):
    source = MODELS.build(dict(CAPTION, key=key))
    assert isinstance(source, CaptionGaussianSource)
    b = dict(inputs=torch.zeros(2, *SHAPE), label=torch.zeros(2, dtype=torch.long))
    with pytest.raises(KeyError, match=rf"model.source.key.*no '{key}'.*\['inputs', 'label'\]"):
        source(b, b["inputs"])
    with pytest.raises(KeyError, match=rf"no '{key}'"):
        source.draw(b, SHAPE, None, "cpu")


def test_paired_source_is_the_batch_s_source_images():
    source = MODELS.build(dict(type="PairedDataSource", key="structure"))
    b = batch(3)
    b["structure"] = b.pop("source").double()
    drawn = source(b, b["inputs"])
    torch.testing.assert_close(drawn.x0, b["structure"].float())
    torch.testing.assert_close(source.draw(b, SHAPE, None, "cpu"), b["structure"].float())
    assert source.keys == ("structure",)


def test_paired_source_refuses_images_of_another_shape():
    source = PairedDataSource()
    b = batch(2)
    b["source"] = torch.zeros(2, 1, 4, 4)
    with pytest.raises(
        ValueError, match=r"model.source.key='source'.*expected \(2, 1, 8, 8\), got \(2, 1, 4, 4\)"
    ):
        source(b, b["inputs"])


def test_paired_source_names_a_missing_key():
    b = batch(2)
    del b["source"]
    with pytest.raises(KeyError, match=r"no 'source'"):
        PairedDataSource()(b, b["inputs"])


def test_a_shuffled_paired_source_trains_on_a_permutation_and_samples_in_order():
    source = MODELS.build(dict(type="PairedDataSource", shuffle=True))
    b = batch(16)
    torch.manual_seed(0)
    x0 = source(b, b["inputs"]).x0
    rows = [int(torch.nonzero((b["source"] == row).flatten(1).all(1))[0]) for row in x0]
    assert sorted(rows) == list(range(16)) and rows != list(range(16))
    torch.testing.assert_close(source.draw(b, SHAPE, None, "cpu"), b["source"].float())
