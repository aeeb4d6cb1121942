import pytest
import torch

from greenreg.models.conditioners import LatentGaussian
from greenreg.models.conditioners.base import LOG_VAR_RANGE
from greenreg.models.encoders import TextEncoding
from greenreg.registry import MODELS

CONDITIONERS = ["PooledMLPConditioner", "GridQueryCrossAttnConditioner", "ConvFieldConditioner"]


def encoding(batch=4, length=5, width=16, generator=None):
    tokens = torch.randn(batch, length, width, generator=generator, requires_grad=True)
    mask = torch.ones(batch, length, dtype=torch.bool)
    mask[:, -2:] = False
    return TextEncoding(tokens=tokens, mask=mask)


@pytest.mark.parametrize("name", CONDITIONERS)
def test_builds_and_maps_text_to_a_gaussian_of_the_latent_shape(name):
    cond = MODELS.build(dict(type=name, text_width=16, latent_shape=(2, 16, 16)))
    enc = encoding(generator=torch.Generator().manual_seed(0))
    out = cond(enc)
    assert isinstance(out, LatentGaussian)
    assert out.mu.shape == out.log_var.shape == (4, 2, 16, 16)
    assert out.log_var.min() >= LOG_VAR_RANGE[0] and out.log_var.max() <= LOG_VAR_RANGE[1]
    (out.mu.sum() + out.log_var.sum()).backward()
    assert enc.tokens.grad is not None and enc.tokens.grad.abs().sum() > 0
    assert all(p.grad is not None for p in cond.parameters() if p.requires_grad)


@pytest.mark.parametrize("name", CONDITIONERS)
def test_padding_tokens_do_not_change_the_output(name):
    cond = MODELS.build(dict(type=name, text_width=16, latent_shape=(1, 16, 16))).eval()
    enc = encoding(generator=torch.Generator().manual_seed(1))
    changed = enc.tokens.detach().clone()
    changed[:, -2:] = 100.0  # only padded positions
    a = cond(TextEncoding(enc.tokens.detach(), enc.mask)).mu
    b = cond(TextEncoding(changed, enc.mask)).mu
    torch.testing.assert_close(a, b)


def test_grid_query_cells_differ_by_position_for_one_caption():
    cond = MODELS.build(
        dict(
            type="GridQueryCrossAttnConditioner", text_width=16, latent_shape=(1, 8, 8), grid_size=4
        )
    )
    mu = cond(encoding(batch=1)).mu[0, 0]  # (8, 8)
    # 2-D position encoding + learnable queries: the field is not constant over space
    assert mu.std() > 1e-3


def test_latent_sample_is_reparameterised_and_seedable():
    g = LatentGaussian(mu=torch.full((2, 1, 4, 4), 3.0), log_var=torch.full((2, 1, 4, 4), -20.0))
    torch.testing.assert_close(g.sample(), g.mu, atol=1e-3, rtol=0)
    g = LatentGaussian(mu=torch.zeros(1, 1, 64, 64), log_var=torch.zeros(1, 1, 64, 64))
    a = g.sample(torch.Generator().manual_seed(5))
    b = g.sample(torch.Generator().manual_seed(5))
    torch.testing.assert_close(a, b)
    assert abs(a.std().item() - 1.0) < 0.05


@pytest.mark.parametrize(
    "cfg, match",
    [
        (
            dict(type="GridQueryCrossAttnConditioner", latent_shape=(1, 8, 8), grid_size=3),
            "grid_size",
        ),
        (dict(type="ConvFieldConditioner", latent_shape=(1, 8, 8), field_size=3), "field_size"),
        (dict(type="PooledMLPConditioner", latent_shape=(1, 8)), "latent_shape"),
        (dict(type="PooledMLPConditioner", latent_shape=(1, 8, 8), num_layers=0), "num_layers"),
    ],
)
def test_bad_arguments_name_the_key(cfg, match):
    with pytest.raises(ValueError, match=match):
        MODELS.build(dict(cfg, text_width=16))


def test_average_unconditional_trains_the_embedding_guidance_samples_with():
    from greenreg.registry import MODELS

    cond = MODELS.build(
        dict(type="ClassEmbeddingConditioner", num_classes=4, embed_dim=6, drop_prob=0.5,
             unconditional="average")
    )  # fmt: skip
    cond.train()
    label = torch.arange(4).repeat(50)
    out = cond(label, torch.Generator().manual_seed(0))
    average = cond.unconditional_embedding(1)[0]
    dropped = (out == average).all(1)
    assert 0.3 < float(dropped.float().mean()) < 0.7  # about half, each the average
    kept = ~dropped
    torch.testing.assert_close(out[kept], cond.embedding(label[kept]))
    assert not (out == cond.embedding.weight[4]).all(1).any()  # the null row is never used
