# Runtime shared by every recipe: mmengine's hooks plus greenreg's; iteration-based throughout.
default_scope = "greenreg"  # build names from greenreg's registries (children of mmengine's)

default_hooks = dict(
    timer=dict(type="IterTimerHook"),
    logger=dict(type="LoggerHook", interval=50),
    param_scheduler=dict(type="ParamSchedulerHook"),
    # keep the newest 3 numbered checkpoints plus `last_checkpoint` for --resume; written
    # through greenreg's atomic file backend (temp file, fsync, rename: a kill mid-save
    # never leaves a truncated checkpoint)
    checkpoint=dict(
        type="CheckpointHook",
        by_epoch=False,
        interval=500,
        max_keep_ckpts=3,
        backend_args=dict(backend="atomic_local"),
    ),
    sampler_seed=dict(type="DistSamplerSeedHook"),
)

custom_hooks = [
    # torch's weights-only loader reads mmengine's checkpoints through an explicit allow-list
    dict(type="SafeCheckpointsHook"),
    # hands (iteration, images seen) to the model with each batch: schedules read it there
    dict(type="TrainProgressHook"),
    # seed 001: train the raw weights, infer with EMA 0.999 (mmengine's momentum = 1 - 0.999);
    # the annealing ramp (momentum = max(0.001, 20 / (20 + step))) averages over about the
    # last 5% of steps early on, so short CPU runs sample from a trained EMA, not the init;
    # Foreach...: mmengine's MomentumAnnealingEMA maths in one fused update (no per-tensor sync)
    dict(type="EMAHook", ema_type="ForeachMomentumAnnealingEMA", momentum=0.001, gamma=20),
    # refuse checkpoints of another architecture instead of loading them non-strictly
    dict(type="CheckpointCompatibilityHook"),
    # save/restore the RNG streams so a resumed run draws what a straight one would
    dict(type="RNGStateHook"),
    # SIGTERM / SIGINT / SIGUSR1 (Slurm's warning before a time limit): finish the step, save a
    # checkpoint, stop with exit status 75; listed after RNGStateHook (same priority, runs later)
    dict(type="PreemptionHook"),
    # <work_dir>/<timestamp>/run_record.json: command, git commit (+ dirty), packages, seeds, device
    dict(type="RunRecordHook"),
    # EMA-smoothed log of every loss term + loss_curves.png at the end
    dict(type="LossEMAHook", momentum=0.02),
    # tensor statistics of every 50th training step for tools/diagnose.py (seed 004): a
    # recorded step costs ~2.5-3 ms of ~45, the others one Python call (bench/overhead.py)
    dict(type="TensorStatsHook", interval=50),
    # PNG grid of the val loop's samples (EMA weights) and metrics.json
    dict(type="SampleGridHook", per_row=8),
    dict(type="MetricsJsonHook"),
]

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method="fork", opencv_num_threads=0),
    dist_cfg=dict(backend="nccl"),
)
log_processor = dict(by_epoch=False, window_size=50)
log_level = "INFO"
vis_backends = [dict(type="LocalVisBackend")]
visualizer = dict(type="Visualizer", vis_backends=vis_backends)
load_from = None
resume = False
# under DDP/FSDP each rank draws its own noise and times (seed + rank), so a global batch of
# B holds B independent draws, not B / ranks; the data order stays one shared permutation
# (tools/train.py gives the train sampler this seed) and RNGStateHook saves every rank's streams
randomness = dict(seed=0, diff_rank_seed=True)
