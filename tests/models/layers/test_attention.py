"""Attention blocks under CPU bf16 autocast: torch's attention modules run in fp32."""

import torch

from greenreg.models.conditioners import GridQueryCrossAttnConditioner
from greenreg.models.encoders import TransformerTextEncoder
from greenreg.models.layers import cpu_autocast_off


def test_cpu_autocast_off_disables_cpu_autocast_only_where_it_is_on():
    x = torch.randn(2, 3)
    with cpu_autocast_off(x):
        assert not torch.is_autocast_enabled("cpu")
    with torch.autocast("cpu", dtype=torch.bfloat16):
        with cpu_autocast_off(x):
            assert not torch.is_autocast_enabled("cpu")
            assert (x @ x.T).dtype == torch.float32
        assert (x @ x.T).dtype == torch.bfloat16  # restored on exit


def test_text_encoder_and_grid_query_attend_in_fp32_under_cpu_bf16_autocast():
    torch.manual_seed(0)
    encoder = TransformerTextEncoder(vocab_size=35, width=16, depth=1, num_heads=2)
    conditioner = GridQueryCrossAttnConditioner(
        text_width=16, latent_shape=(1, 8, 8), grid_size=4, width=16, num_heads=2
    )
    tokens = torch.randint(1, 35, (3, 5))
    calls = []
    attention = torch.nn.functional.scaled_dot_product_attention

    def spy(q, k, v, *args, **kwargs):
        calls.append(q.dtype)
        return attention(q, k, v, *args, **kwargs)

    ref = conditioner(encoder(tokens))
    torch.nn.functional.scaled_dot_product_attention = spy
    try:
        with torch.autocast("cpu", dtype=torch.bfloat16):
            out = conditioner(encoder(tokens))
    finally:
        torch.nn.functional.scaled_dot_product_attention = attention
    # the bf16 backward of torch's CPU flash attention is several times slower than fp32
    assert calls and all(dtype == torch.float32 for dtype in calls)
    torch.testing.assert_close(out.mu.float(), ref.mu, atol=0.05, rtol=0.05)
