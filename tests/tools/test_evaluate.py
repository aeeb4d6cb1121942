"""tools/evaluate.py on a checkpoint of a 2-iteration IsoNext run: JSON, table, user errors."""

import importlib.util
import json
import os
import subprocess
import sys

import pytest

from tests.conftest import CONFIGS, REPO

ISONEXT = os.path.join(CONFIGS, "isonext.py")
# configs/isonext.py at a toy size: 16 train digits, 2 val digits (x 6 styles), 2 iterations
TINY_ISONEXT = [
    "train_cfg.max_iters=2", "train_cfg.val_interval=2", "default_hooks.checkpoint.interval=2",
    "train_dataloader.batch_size=8", "train_dataloader.dataset.num_digits=16",
    "val_dataloader.dataset.num_digits=2", "val_dataloader.batch_size=6",
    "model.backbone.base_channels=8", "model.conditioning.embed_dim=32",
    "model.time_grid.num_steps=2", "log_level=WARNING",
]  # fmt: skip


def tool(*args, cwd=REPO):
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=600
    )


def load_tool():
    spec = importlib.util.spec_from_file_location(
        "evaluate_tool", os.path.join(REPO, "tools", "evaluate.py")
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """(config as the run saved it, checkpoint) of a 2-iteration IsoNext run."""
    if not os.path.isfile(ISONEXT):
        pytest.skip("configs/isonext.py is not there yet")
    work = tmp_path_factory.mktemp("isonext")
    out = tool("tools/train.py", ISONEXT, "--work-dir", str(work), "--cfg-options", *TINY_ISONEXT)
    assert out.returncode == 0, out.stderr[-2000:]
    return str(work / "isonext.py"), str(work / "iter_2.pth")


@pytest.mark.slow
def test_evaluate_writes_the_scores_of_a_trained_checkpoint(trained, tmp_path):
    config, checkpoint = trained
    script = os.path.join(REPO, "tools", "evaluate.py")
    args = ["--num-samples", "12", "--batch-size", "5", "--solver", "heun", "--steps", "3"]
    out = tool(script, config, checkpoint, *args, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "style/structure_psnr" in out.stdout  # the table
    results = json.loads((tmp_path / "work_dirs" / "isonext" / "eval_iter_2.json").read_text())
    assert results["num_samples"] == results["num_reference"] == 12  # 2 digits x 6 styles
    assert results["features"] == "repo:style_classifier" and results["weights"] == "ema"
    assert results["fid"] >= 0 and results["kid"] is not None
    assert 0 <= results["precision"] <= 1 and 0 <= results["recall"] <= 1
    assert results["solver"] == "HeunSolver" and results["num_steps"] == 3
    assert results["nfe"] >= 3  # Heun over 3 intervals
    assert results["latency_ms"] > 0 and results["peak_mem_mib"] > 100
    assert results["peak_mem_kind"] == "cpu_peak_rss" and results["device"] == "cpu"
    style = results["recipe_metrics"]  # the config's val_evaluator: StyleTransferMetric
    assert style["style/num_samples"] == 12
    assert 0 <= style["style/artifact_rate"] <= 100 and 0 <= style["style/style_accuracy"] <= 100
    assert -10 < style["style/structure_psnr"] < 100 and style["style/edge_sharpness"] > 0
    # the repo feature space is the style classifier's, as StyleTransferMetric's style FD
    assert results["fid"] == pytest.approx(style["style/style_fid"])


def run(capsys, *args) -> tuple[int, list[str]]:
    """Runs the tool in this process; returns its exit status and stderr's lines."""
    patch = pytest.MonkeyPatch()
    patch.setattr(sys, "argv", ["tools/evaluate.py", *map(str, args)])
    patch.delenv("GREENREG_DEBUG", raising=False)
    code = 0
    try:
        load_tool().main()
    except SystemExit as exit:
        code = exit.code
    finally:
        patch.undo()
    return code, capsys.readouterr().err.strip().splitlines()


@pytest.mark.parametrize(
    "args, message",
    [
        (["absent.py", "{ckpt}", "--num-samples", "4"], "config 'absent.py': no such file"),
        (["{config}", "absent.pth", "--num-samples", "4"], "checkpoint 'absent.pth': no such"),
        (["{config}", "{ckpt}", "--num-samples", "0"], "--num-samples: expected an int >= 1"),
        (["{config}", "{ckpt}", "--num-samples", "4", "--features", "clip"], "unknown feature"),
        (["{config}", "{ckpt}", "--num-samples", "4", "--solver", "magic"], "unknown solver"),
        (["{config}", "{ckpt}", "--num-samples", "4", "--features", "inception"],
         "--feature-weights: --features inception reads local weights only"),
        (["{config}", "{ckpt}", "--num-samples", "4", "--features", "dinov2",
          "--feature-weights", "absent"], "--feature-weights: no such file or folder"),
        # found only once the model is built: a checkpoint torch cannot read
        (["{config}", "{ckpt}", "--num-samples", "4", "--cfg-options",
          "val_dataloader.dataset.num_digits=1"], "CheckpointError: checkpoint"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_exit_status_2(tmp_path, capsys, args, message):
    if not os.path.isfile(ISONEXT):
        pytest.skip("configs/isonext.py is not there yet")
    garbage = tmp_path / "garbage.pth"
    garbage.write_bytes(b"not a checkpoint")
    code, lines = run(capsys, *[a.format(config=ISONEXT, ckpt=garbage) for a in args])
    assert code == 2 and len(lines) == 1, lines
    assert lines[0].startswith("evaluate.py: error: ") and message in lines[0], lines


@pytest.mark.slow
def test_sample_turns_structure_images_into_the_requested_styles(trained, tmp_path):
    import numpy as np

    config, checkpoint = trained
    digits = np.zeros((2, 28, 28), dtype=np.uint8)
    digits[:, 8:20, 12:16] = 255  # two bars
    np.savez(tmp_path / "bars.npz", images=digits)
    args = ["--structure", str(tmp_path / "bars.npz"), "--styles", "slant", "inverted"]
    out = tool("tools/sample.py", config, checkpoint, "--num-samples", "4", "--out",
               str(tmp_path / "out"), *args)  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    captions = (tmp_path / "out" / "captions.txt").read_text().splitlines()
    assert [c.split("\t")[1] for c in captions] == [
        "slant of structure 0", "inverted of structure 0",
        "slant of structure 1", "inverted of structure 1",
    ]  # fmt: skip
    assert (tmp_path / "out" / "pairs.png").is_file()
    bad = tool("tools/sample.py", config, checkpoint, "--styles", "bold", "--out",
               str(tmp_path / "bad"))  # fmt: skip
    assert bad.returncode == 2 and "--styles: unknown style" in bad.stderr
    assert "'thick'" in bad.stderr and "Traceback" not in bad.stderr
