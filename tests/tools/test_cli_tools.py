"""The command-line tools, run as a user runs them."""

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO, tiny_config, tiny_ddpm_config


def tool(*args, cwd=REPO, env: dict | None = None):
    env = dict(os.environ, OMP_NUM_THREADS="1", **(env or {}))
    return subprocess.run(
        [sys.executable, *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=600
    )


@pytest.mark.slow
def test_train_then_sample_end_to_end(tmp_path):
    config = tmp_path / "tiny.py"
    tiny_config(str(tmp_path / "work"), max_iters=4).dump(str(config))
    out = tool("tools/train.py", str(config), "--work-dir", str(tmp_path / "work"))
    assert out.returncode == 0, out.stderr[-2000:]
    checkpoint = tmp_path / "work" / "iter_4.pth"
    assert checkpoint.exists()
    out = tool(
        "tools/sample.py",
        str(config),
        str(checkpoint),
        "--num-samples",
        "6",
        "--out",
        str(tmp_path / "s"),
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert sorted(os.listdir(tmp_path / "s"))[:3] == ["captions.txt", "grid.png", "sample_0000.png"]
    heun = tool(
        "tools/sample.py",
        str(config),
        str(checkpoint),
        "--solver",
        "heun",
        "--steps",
        "3",
        "--num-samples",
        "2",
        "--out",
        str(tmp_path / "heun"),
    )
    assert heun.returncode == 0 and (tmp_path / "heun" / "grid.png").exists(), heun.stderr[-1500:]
    # a diffusion sampler on the flow-matching model: once a TypeError mid-sampling
    ddim = tool("tools/sample.py", str(config), str(checkpoint), "--solver", "ddim",
                "--steps", "3", "--num-samples", "2", "--out", str(tmp_path / "ddim"))  # fmt: skip
    assert ddim.returncode == 0 and (tmp_path / "ddim" / "grid.png").exists(), ddim.stderr[-1500:]
    unknown = tool(
        "tools/sample.py", str(config), str(checkpoint), "--captions", "a handwritten banana"
    )
    assert unknown.returncode == 2 and "unknown word 'banana'" in unknown.stderr
    # a second run into the same folder refuses instead of overwriting
    again = tool("tools/sample.py", str(config), str(checkpoint), "--out", str(tmp_path / "s"))
    assert again.returncode == 2 and "already holds" in again.stderr


@pytest.mark.slow
def test_ddpm_recipe_trains_and_samples_with_ddim_and_guidance(tmp_path):
    config = tmp_path / "ddpm.py"
    tiny_ddpm_config(str(tmp_path / "work"), max_iters=3).dump(str(config))
    out = tool("tools/train.py", str(config), "--work-dir", str(tmp_path / "work"))
    assert out.returncode == 0, out.stderr[-2000:]
    checkpoint = str(tmp_path / "work" / "iter_3.pth")
    args = ["--num-samples", "4", "--labels", "3", "7", "--steps", "5", "--cfg", "2.5"]
    for solver in ("ddim",):  # the other samplers: tests/models/generators
        out = tool("tools/sample.py", str(config), checkpoint, "--solver", solver, *args,
                   "--out", str(tmp_path / solver))  # fmt: skip
        assert out.returncode == 0, out.stderr[-2000:]
        captions = (tmp_path / solver / "captions.txt").read_text().splitlines()
        assert [line.split("\t")[1] for line in captions] == ["label 3", "label 7"] * 2
    bad = tool(
        "tools/sample.py", str(config), checkpoint, "--cfg", "0.5", "--out", str(tmp_path / "b")
    )
    assert bad.returncode == 2 and "ClassifierFreeGuidance.scale" in bad.stderr


def test_bad_input_gives_one_line_exit_2_and_writes_nothing(tmp_path):
    work = tmp_path / "work"
    cases = [
        (["configs/missing.py"], "no such file"),
        (
            ["configs/fm_gridquery.py", "--cfg-options", "model.backbone.type=DiTBackbon"],
            "did you mean 'DiTBackbone'",
        ),
        (
            ["configs/fm_gridquery.py", "--cfg-options", "model.source.conditioner.grid_size=7"],
            "grid_size",
        ),
        (["configs/fm_gridquery.py", "--resume", str(tmp_path / "nope.pth")], "--resume"),
        (["configs/ablations/fm_structure_supervision.py"], "backbone_weights"),
    ]
    for args, needle in cases:
        out = tool("tools/train.py", *args, "--work-dir", str(work))
        assert out.returncode == 2, (args, out.stderr[-1500:])
        assert needle in out.stderr and "Traceback" not in out.stderr, out.stderr[-1500:]
        assert len(out.stderr.strip().splitlines()) == 1
    assert not work.exists()


def test_sample_refuses_a_checkpoint_of_another_architecture(tmp_path):
    config = tmp_path / "tiny.py"
    tiny_config(str(tmp_path / "work"), max_iters=2).dump(str(config))
    assert tool("tools/train.py", str(config)).returncode == 0
    other = tmp_path / "other.py"
    tiny_config(str(tmp_path / "w2"), conditioner="PooledMLPConditioner").dump(str(other))
    out = tool(
        "tools/sample.py",
        str(other),
        str(tmp_path / "work" / "iter_2.pth"),
        "--out",
        str(tmp_path / "s"),
    )
    assert out.returncode == 2 and "do not fit this model" in out.stderr


def test_overfit_check_passes_a_healthy_setup_and_fails_a_frozen_one(tmp_path):
    config = tmp_path / "tiny.py"
    tiny_config(str(tmp_path / "w"), max_iters=3).dump(str(config))
    args = ["tools/overfit_check.py", str(config), "--iters", "30", "--num-samples", "64"]
    healthy = tool(*args, "--work-dir", str(tmp_path / "ok"))
    assert healthy.returncode == 0 and "PASS" in healthy.stdout, healthy.stderr[-1500:]
    frozen = tool(
        *args,
        "--work-dir",
        str(tmp_path / "frozen"),
        "--cfg-options",
        "optim_wrapper.optimizer.lr=0.0",
    )
    assert frozen.returncode == 1 and "FAIL" in frozen.stdout, frozen.stderr[-1500:]


def test_resume_refuses_an_empty_work_dir_and_a_truncated_checkpoint(tmp_path):
    config = tmp_path / "tiny.py"
    tiny_config(str(tmp_path / "work"), max_iters=2).dump(str(config))
    empty = tool("tools/train.py", str(config), "--work-dir", str(tmp_path / "empty"), "--resume")
    assert empty.returncode == 2 and "nothing to resume" in empty.stderr
    assert not (tmp_path / "empty").exists()
    assert tool("tools/train.py", str(config)).returncode == 0
    ckpt = tmp_path / "work" / "iter_2.pth"
    ckpt.write_bytes(ckpt.read_bytes()[:1000])
    before = sorted(os.listdir(tmp_path / "work"))
    broken = tool("tools/train.py", str(config), "--resume")
    assert broken.returncode == 2 and "which is damaged" in broken.stderr
    assert sorted(os.listdir(tmp_path / "work")) == before


@pytest.mark.slow
def test_export_writes_safetensors_that_sample_exactly_like_the_checkpoint(tmp_path):
    from safetensors.torch import load_file

    from greenreg.engine.checkpoint import load_checkpoint

    config = tmp_path / "tiny.py"
    tiny_config(str(tmp_path / "work"), max_iters=2).dump(str(config))
    assert tool("tools/train.py", str(config), "--work-dir", str(tmp_path / "work")).returncode == 0
    checkpoint, export = tmp_path / "work" / "iter_2.pth", tmp_path / "export"
    out = tool("tools/export.py", str(config), str(checkpoint), "--out", str(export))
    assert out.returncode == 0, out.stderr[-2000:]
    weights = load_file(str(export / "model.safetensors"))
    ema = load_checkpoint(str(checkpoint))["state_dict"]  # mmengine keeps EMA weights here
    assert weights.keys() == ema.keys()
    assert all(weights[k].equal(ema[k]) for k in ema)
    # the exported config and weights sample the same images as the run's config + checkpoint
    for name, args in (("a", (config, checkpoint)), ("b", (export / "config.py", export / "model.safetensors"))):  # fmt: skip
        out = tool(
            "tools/sample.py", *map(str, args), "--num-samples", "3", "--out", str(tmp_path / name)
        )
        assert out.returncode == 0, out.stderr[-2000:]
    for png in ("sample_0000.png", "sample_0002.png"):
        assert (tmp_path / "a" / png).read_bytes() == (tmp_path / "b" / png).read_bytes()
    again = tool("tools/export.py", str(config), str(checkpoint), "--out", str(export))
    assert again.returncode == 2 and "already holds" in again.stderr
    damaged = tmp_path / "damaged.safetensors"
    damaged.write_bytes(b"not a tensor file")
    bad = tool("tools/sample.py", str(config), str(damaged), "--out", str(tmp_path / "c"))
    assert bad.returncode == 2 and "safetensors" in bad.stderr.splitlines()[-1], bad.stderr
