"""DDP scaling on CPU: 1 vs 2 gloo processes (1 thread each) at the same global batch.

    python bench/ddp_scaling.py [--config configs/fm_gridquery.py] [--iters 100] [--repeats 3]

Each run is a real launch: ``tools/train.py`` for one process, ``tools/dist_train.sh`` (torchrun,
gloo, mmengine's DDP) for two, with the config's global batch split over the processes,
validation and checkpoints moved past the timed window, and CUDA hidden. Iterations/s come from
mmengine's own per-iteration ``time`` (IterTimerHook, logged every iteration) after
``--warmup`` iterations; under DDP rank 0's step includes the gradient all-reduce. A third
setting, one process with 2 threads, is the alternative on the same 2 cores. Each run also
records ``other_cores``: the CPU time the machine spent on other work during the run, in cores
(/proc/stat busy time minus the run's own). Other work slows the 2-process runs most, since
they need every core at once.

Scaling efficiency = samples/s with 2 processes / (2 x samples/s with 1 process), each process
on 1 thread: 1.0 is linear scaling.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from common import environment, print_table, write_json  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# (processes, threads per process)
SETTINGS = [(1, 1), (2, 1), (1, 2)]


def bench_config(config: str, iters: int, batch_per_process: int, path: str) -> None:
    """Writes ``config`` with ``iters`` timed iterations and nothing else into ``path``."""
    sys.path.insert(0, REPO)
    from mmengine.config import Config

    cfg = Config.fromfile(os.path.join(REPO, config))
    cfg.train_dataloader.batch_size = batch_per_process
    cfg.train_cfg = dict(type="IterBasedTrainLoop", max_iters=iters, val_interval=iters + 1)
    cfg.val_dataloader = cfg.val_evaluator = cfg.val_cfg = None
    cfg.default_hooks.checkpoint = dict(type="CheckpointHook", interval=iters + 1, by_epoch=False)
    cfg.default_hooks.logger.interval = 1
    cfg.log_processor.window_size = 1  # each iteration's own time, not a running mean
    cfg.custom_hooks = [
        h for h in cfg.custom_hooks if h["type"] not in ("SampleGridHook", "MetricsJsonHook")
    ]
    cfg.log_level = "WARNING"
    cfg.dump(path)


def busy_cpu_seconds() -> float:
    """CPU seconds all cores have spent busy since boot (Linux /proc/stat; NaN elsewhere)."""
    try:
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:]]
    except OSError:
        return float("nan")
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds() -> float:
    """CPU seconds used by this process's finished children (torchrun's workers included)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def clocks() -> tuple[float, float, float]:
    """Wall clock, machine busy CPU seconds, children's CPU seconds."""
    return time.perf_counter(), busy_cpu_seconds(), children_cpu_seconds()


@dataclass
class RunSpeed:
    """One launch: ``it_per_s`` after the warm-up; ``other_cores``, the cores that other
    processes kept busy on average during the launch."""

    it_per_s: float
    other_cores: float


def measure(
    config: str, iters: int, warmup: int, processes: int, threads: int, global_batch: int
) -> RunSpeed:
    """Launches one training run and times it."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bench.py")
        bench_config(config, iters, global_batch // processes, path)
        work_dir = os.path.join(tmp, "work")
        if processes == 1:
            cmd = [sys.executable, "tools/train.py", path]
        else:
            cmd = ["bash", "tools/dist_train.sh", path, str(processes)]
        env = dict(
            os.environ,
            OMP_NUM_THREADS=str(threads),
            CUDA_VISIBLE_DEVICES="",
            PORT=os.environ.get("PORT", "29531"),
            PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ["PATH"],
        )
        start = clocks()
        out = subprocess.run(
            [*cmd, "--work-dir", work_dir], cwd=REPO, env=env, capture_output=True, text=True
        )
        wall, busy, own = (end - begin for begin, end in zip(start, clocks()))
        if out.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{out.stderr[-3000:]}")
        (scalars,) = glob.glob(os.path.join(work_dir, "*", "vis_data", "scalars.json"))
        with open(scalars) as f:
            times = [json.loads(line)["time"] for line in f]
    timed = times[warmup:]
    return RunSpeed(it_per_s=len(timed) / sum(timed), other_cores=(busy - own) / wall)


def main() -> None:
    """Alternate the settings; print and save the median throughputs and the efficiency."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="configs/fm_gridquery.py")
    parser.add_argument("--iters", type=int, default=100)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--global-batch", type=int, default=64)
    args = parser.parse_args()
    measured = {s: [] for s in SETTINGS}
    for _ in range(args.repeats):
        for processes, threads in SETTINGS:
            measured[(processes, threads)].append(
                measure(args.config, args.iters, args.warmup, processes, threads, args.global_batch)
            )
    rows = []
    for (processes, threads), runs in measured.items():
        it_per_s = statistics.median(r.it_per_s for r in runs)
        rows.append(
            dict(
                processes=processes,
                threads_per_process=threads,
                batch_per_process=args.global_batch // processes,
                it_per_s=it_per_s,
                samples_per_s=it_per_s * args.global_batch,
                runs=", ".join(f"{r.it_per_s:.3f}" for r in runs),
                other_cores=", ".join(f"{r.other_cores:.2f}" for r in runs),
            )
        )
    efficiency = rows[1]["samples_per_s"] / (2 * rows[0]["samples_per_s"])
    versus_threads = rows[1]["samples_per_s"] / rows[2]["samples_per_s"]
    env = environment()
    print(
        f"{args.config}: global batch {args.global_batch}, {args.iters} iterations "
        f"({args.warmup} warm-up), median of {args.repeats}, {env['device']} "
        f"({env['cpu_count']} cores), gloo"
    )
    columns = ["processes", "threads_per_process", "batch_per_process", "it_per_s"]
    print_table(rows, [*columns, "samples_per_s", "runs", "other_cores"])
    print(f"scaling efficiency (2 procs vs 2 x 1 proc, 1 thread each): {efficiency:.3f}")
    print(f"2 processes x 1 thread vs 1 process x 2 threads: {versus_threads:.3f}")
    path = write_json(
        "ddp_scaling_cpu",
        dict(
            config=args.config,
            global_batch=args.global_batch,
            iters=args.iters,
            warmup=args.warmup,
            repeats=args.repeats,
            backend="gloo",
            rows=rows,
            scaling_efficiency=efficiency,
            ddp_vs_two_threads=versus_threads,
        ),
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
