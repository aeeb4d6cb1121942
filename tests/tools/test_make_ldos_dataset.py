"""tools/make_ldos_dataset.py: layout, seeds independent of workers and shards, resume, verify."""

import importlib.util
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest

from greenreg.registry import DATASETS, DISORDERS, LATTICES, LDOS_SOLVERS
from tests.conftest import REPO

TINY = ["--size", "6", "--num", "6", "--energies", "-1", "0.5", "--broadening", "0.2"]


def load_tool():
    path = os.path.join(REPO, "tools", "make_ldos_dataset.py")
    spec = importlib.util.spec_from_file_location("make_ldos_dataset", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_ldos_dataset"] = module  # the worker pool pickles tasks by module name
    spec.loader.exec_module(module)
    return module


TOOL = load_tool()


def run(*args):
    """Runs the tool in this process (as from the shell); returns its exit status."""
    capture = pytest.MonkeyPatch()
    capture.setattr(sys, "argv", ["make_ldos_dataset.py", *map(str, args)])
    capture.delenv("GREENREG_DEBUG", raising=False)
    code = 0
    try:
        TOOL.main()
    except SystemExit as exit:
        code = exit.code
    finally:
        capture.undo()
    return code


def with_option(args, *option):
    """``args`` with ``option`` (a flag and as many values as it had) replaced or added."""
    args = list(args)
    if option[0] not in args:
        return args + list(option)
    position = args.index(option[0])
    args[position : position + len(option)] = option
    return args


def samples(root):
    """{file name: (mtime_ns, bytes)} of every sample file."""
    folder = os.path.join(root, "samples")
    return {
        name: (
            os.stat(os.path.join(folder, name)).st_mtime_ns,
            open(os.path.join(folder, name), "rb").read(),
        )
        for name in sorted(os.listdir(folder))
    }


def arrays(root, index):
    with np.load(os.path.join(root, "samples", f"{index:06d}.npz"), allow_pickle=False) as f:
        return {key: f[key] for key in f.files}


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The tiny dataset made in this process with one worker."""
    root = str(tmp_path_factory.mktemp("ldos") / "one_worker")
    assert run(*TINY, "--workers", "1", "--out", root) == 0
    return root


def test_writes_manifest_and_samples_that_recompute_from_the_seed(reference):
    manifest = json.load(open(os.path.join(reference, "manifest.json")))
    assert manifest["lattice"] == dict(type="SquareLattice", size=6, hopping=1.0, next_hopping=0.0)
    assert manifest["disorder"]["type"] == "GaussianCorrelatedDisorder"
    assert manifest["solver"] == dict(type="ExactGreenLDOSSolver", broadening=0.2)
    assert (manifest["energies"], manifest["num"], manifest["seed"]) == ([-1.0, 0.5], 6, 0)
    assert manifest["grid_shape"] == [6, 6] and manifest["format_version"] == 1
    assert sorted(os.listdir(os.path.join(reference, "samples"))) == [
        f"{i:06d}.npz" for i in range(6)
    ]
    sample = arrays(reference, 3)
    assert sample["potential"].shape == (6, 6) and sample["potential"].dtype == np.float32
    assert sample["ldos"].shape == (2, 6, 6) and sample["ldos"].dtype == np.float32
    assert (int(sample["index"]), int(sample["seed"])) == (3, 0)
    # the documented contract: sample i alone, from SeedSequence([seed, i]) and the API
    lattice = LATTICES.build(manifest["lattice"])
    disorder = DISORDERS.build(manifest["disorder"])
    solver = LDOS_SOLVERS.build(manifest["solver"])
    potential = disorder.sample(lattice, np.random.default_rng(np.random.SeedSequence([0, 3])))
    ldos = solver.ldos(lattice, potential, np.array([-1.0, 0.5]))
    np.testing.assert_allclose(sample["potential"], lattice.to_grid(potential), rtol=1e-6)
    np.testing.assert_allclose(sample["ldos"], lattice.to_grid(ldos), rtol=1e-5, atol=1e-7)
    assert np.ptp(sample["ldos"]) > 0  # disorder makes the map non-uniform
    data = DATASETS.build(
        dict(type="LDOSMapDataset", data_root=reference, test_size=2, energies=[-1, 0.5], size=6)
    )
    assert len(data) == 4 and data[3]["ldos"].shape == (2, 6, 6)


def tool(*args):
    """Runs the tool as a user does, in a fresh process."""
    env = dict(os.environ, OMP_NUM_THREADS="1")
    script = os.path.join(REPO, "tools", "make_ldos_dataset.py")
    return subprocess.run(
        [sys.executable, script, *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_two_workers_and_two_shards_give_the_same_arrays(reference, tmp_path):
    two_workers = str(tmp_path / "two_workers")
    out = tool(*TINY, "--workers", "2", "--out", two_workers)
    assert out.returncode == 0, out.stderr[-2000:]
    sharded = str(tmp_path / "sharded")
    assert run(*TINY, "--workers", "1", "--shard", "1/2", "--out", sharded) == 0
    assert sorted(os.listdir(os.path.join(sharded, "samples"))) == [
        "000001.npz",
        "000003.npz",
        "000005.npz",
    ]
    assert run(*TINY, "--workers", "1", "--shard", "0/2", "--out", sharded) == 0
    manifest = open(os.path.join(reference, "manifest.json")).read()
    for root in (two_workers, sharded):
        assert open(os.path.join(root, "manifest.json")).read() == manifest
        for index in range(6):
            for key, value in arrays(reference, index).items():
                np.testing.assert_array_equal(arrays(root, index)[key], value)


def test_a_resumed_run_remakes_only_the_missing_files(reference, tmp_path):
    root = str(tmp_path / "resumed")
    shutil.copytree(reference, root)  # copy2: keeps mtimes
    before = samples(root)
    for index in (1, 4):
        os.remove(os.path.join(root, "samples", f"{index:06d}.npz"))
    stale = os.path.join(root, "samples", ".000004.npz.tmp")  # a killed run's half file
    open(stale, "wb").write(b"half")
    assert run(*TINY, "--workers", "1", "--out", root) == 0
    after = samples(root)
    assert sorted(after) == sorted(before) and not os.path.exists(stale)
    for name in before:
        if name in ("000001.npz", "000004.npz"):
            assert after[name][0] != before[name][0]  # rewritten ...
            for key, value in arrays(reference, int(name[:6])).items():
                np.testing.assert_array_equal(arrays(root, int(name[:6]))[key], value)  # ... equal
        else:
            assert after[name] == before[name]  # untouched: same mtime and bytes


@pytest.mark.parametrize(
    "change, key, stored, requested",
    [
        (["--energies", "-1", "0.7"], "energies", "[-1.0, 0.5]", "[-1.0, 0.7]"),
        (["--seed", "1"], "seed", "0", "1"),
        (["--broadening", "0.3"], "solver.broadening", "0.2", "0.3"),
    ],
)
def test_a_disagreeing_manifest_stops_the_run(
    reference, tmp_path, capsys, change, key, stored, requested
):
    root = str(tmp_path / "other")
    shutil.copytree(reference, root)
    before = samples(root), open(os.path.join(root, "manifest.json")).read()
    assert run(*with_option([*TINY, "--workers", "1", "--out", root], *change)) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert f"manifest.json: {key} is {stored} there but {requested} was requested" in err
    assert (samples(root), open(os.path.join(root, "manifest.json")).read()) == before


def test_verify_passes_then_names_a_changed_and_a_missing_file(reference, tmp_path, capsys):
    root = str(tmp_path / "checked")
    shutil.copytree(reference, root)
    assert run("verify", root, "--num", "6") == 0
    assert "6/6 files load" in capsys.readouterr().out
    sample = arrays(root, 2)
    sample["ldos"].flat[sample["ldos"].argmax()] *= 1.01  # plausible: only recomputing finds it
    np.savez(os.path.join(root, "samples", "000002.npz"), **sample)
    os.remove(os.path.join(root, "samples", "000005.npz"))
    assert run("verify", root, "--num", "6") == 1
    lines = capsys.readouterr().out.strip().splitlines()
    assert any("000002.npz: mismatch" in line and "difference 0.01." in line for line in lines)
    assert any("000005.npz: missing" in line for line in lines)
    assert "5/6 files load" in lines[-1] and "2 problems" in lines[-1]


@pytest.mark.parametrize(
    "args, match",
    [
        (
            ["--energies", "-1", "4.5"],
            "energy 4.5 lies outside the clean band of SquareLattice; expected energies in [-4, 4]",
        ),
        (["--size", "1"], "--size: too small; expected an integer >= 2, got 1."),
        (["--num", "0"], "--num: too small"),
        (["--shard", "2/2"], "--shard: expected K/N with integers 0 <= K < N, got '2/2'."),
        (["--shard", "half"], "--shard"),
        (["--lattice", "triangular"], "invalid choice: 'triangular'"),
        (["--disorder", "speckle"], "invalid choice: 'speckle'"),
        (["--solver", "qr"], "invalid choice: 'qr'"),
        (["--width", "2"], "--width: not an option of --disorder gaussian"),
        (["--num-moments", "300"], "--num-moments: only for --solver kpm"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, args, match):
    out = str(tmp_path / "bad")
    assert run(*with_option([*TINY, "--workers", "1", "--out", out], *args)) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and match in err, err
    assert not os.path.exists(out)  # nothing written


def test_energies_outside_the_band_fail_in_one_line_from_the_shell(tmp_path):
    out = tool(*with_option(TINY, "--energies", "-1", "4.5"), "--out", str(tmp_path / "bad"))
    assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1, out.stderr
    assert "energy 4.5 lies outside the clean band" in out.stderr and out.stdout == ""
    assert not os.path.exists(tmp_path / "bad")
