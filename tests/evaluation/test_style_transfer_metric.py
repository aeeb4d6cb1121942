"""StyleTransferMetric: built from a config, fed as mmengine's val loop feeds it, scored."""

import numpy as np
import pytest
import torch
from mmengine.evaluator import Evaluator

from greenreg.datasets.digit_styles import STYLES
from greenreg.datasets.styled_digits import StyledDigitsDataset
from greenreg.evaluation import StyleTransferMetric, load_style_classifier
from greenreg.evaluation.style_transfer import PSNR_CAP_DB
from greenreg.registry import METRICS


@pytest.fixture(scope="module")
def heldout():
    """8 held-out digits x 6 styles: batches as default_collate makes them."""
    data = StyledDigitsDataset("mnist", "heldout", num_digits=8)
    items = [data[i] for i in range(len(data))]
    return {k: torch.stack([torch.as_tensor(item[k]) for item in items]) for k in items[0]}


def predictions(samples: torch.Tensor) -> list[dict]:
    """What FlowGenerator.forward(mode='predict') returns: one dict per sample."""
    return [dict(samples=s, label=-1) for s in samples]


def test_the_ground_truth_itself_scores_perfectly(heldout):
    metric = METRICS.build(dict(type="StyleTransferMetric"))
    assert isinstance(metric, StyleTransferMetric)
    for start in (0, 20, 40):  # three batches, as a val loop hands them over
        batch = {k: v[start : start + 20] for k, v in heldout.items()}
        metric.process(batch, predictions(batch["inputs"]))
    scores = metric.compute_metrics(metric.results)
    assert scores["num_samples"] == 48
    assert scores["structure_psnr"] == PSNR_CAP_DB and scores["structure_psnr_std"] == 0
    assert scores["hf_psnr"] == PSNR_CAP_DB and scores["artifact_rate"] == 0
    assert scores["edge_sharpness"] == pytest.approx(1.0)
    assert scores["style_accuracy"] >= 95
    assert scores["style_fid"] == pytest.approx(0.0, abs=1e-6)
    assert scores["style_kid"] < 0.5  # unbiased: slightly negative for one shared set
    assert {f"structure_psnr_{s}" for s in STYLES} <= set(scores)


def test_unstyled_structures_lose_style_psnr_and_fid_through_mmengine_s_evaluator(heldout):
    # the evaluator as the Runner's ValLoop calls it: process(data_samples, data_batch)
    evaluator = Evaluator(dict(type="StyleTransferMetric"))
    evaluator.process(predictions(heldout["source"]), heldout)
    scores = evaluator.evaluate(len(heldout["source"]))
    assert scores["style/style_accuracy"] < 50  # a plain digit is one style at most
    assert scores["style/style_fid"] > 50
    assert scores["style/structure_psnr"] < 15 < scores["style/structure_psnr_shadow"]  # 11 vs 19
    assert scores["style/structure_psnr_inverted"] < 3  # the farthest style from a digit
    assert scores["style/artifact_rate"] > 10


def test_per_style_psnr_averages_only_that_style_s_samples(heldout):
    metric = StyleTransferMetric()
    truth, styles = heldout["inputs"], heldout["label"].numpy()
    out = truth.clone()
    out[styles == STYLES.index("stripes")] = -1.0  # a blank answer for one style only
    scores = metric.score(out, truth, styles)
    assert scores["structure_psnr_thick"] == PSNR_CAP_DB
    assert scores["structure_psnr_stripes"] < 20
    assert scores["structure_psnr"] == pytest.approx(
        np.mean([scores[f"structure_psnr_{s}"] for s in STYLES])  # balanced styles
    )


def test_user_errors_name_the_key(heldout, tmp_path):
    metric = StyleTransferMetric()
    with pytest.raises(KeyError, match=r"val batch has no \['inputs'\]"):
        metric.process(dict(label=heldout["label"]), predictions(heldout["source"]))
    with pytest.raises(ValueError, match=r"val_evaluator\.artifact_threshold.*got -0\.1"):
        StyleTransferMetric(artifact_threshold=-0.1)
    missing = str(tmp_path / "none.pth")
    with pytest.raises(FileNotFoundError, match="tools/train_style_classifier.py --out"):
        load_style_classifier(missing)
