#!/usr/bin/env bash
# Distributed training under Slurm (one task per GPU, mmengine's slurm launcher):
#   tools/slurm_train.sh PARTITION JOB_NAME CONFIG [WORK_DIR] [train.py args...]
# e.g. GPUS=16 GPUS_PER_NODE=8 tools/slurm_train.sh gpu fm configs/fm_gridquery.py work_dirs/fm
# env: GPUS (tasks, default 8), GPUS_PER_NODE (8), CPUS_PER_TASK (5), SRUN_ARGS (extra srun flags),
#      PREEMPT_NOTICE_S (120: SIGUSR1 this many seconds before the time limit)
# Preemption: srun sends SIGUSR1 before the time limit; every rank finishes its step, saves a
# checkpoint and exits 75. Inside an sbatch job (SLURM_JOB_ID set, submitted with --requeue)
# the job is then requeued, and a requeued job (SLURM_RESTART_COUNT > 0) trains with --resume.
set -euo pipefail

if [[ $# -lt 3 ]]; then
    echo "usage: $0 PARTITION JOB_NAME CONFIG [WORK_DIR] [train.py args...]" \
        "(env: GPUS GPUS_PER_NODE CPUS_PER_TASK SRUN_ARGS)" >&2
    exit 2
fi
PARTITION=$1
JOB_NAME=$2
CONFIG=$3
shift 3
WORK_DIR_ARGS=()
if [[ $# -gt 0 && $1 != -* ]]; then  # an optional WORK_DIR comes before the flags
    WORK_DIR_ARGS=(--work-dir "$1")
    shift
fi
GPUS=${GPUS:-8}
GPUS_PER_NODE=${GPUS_PER_NODE:-8}
CPUS_PER_TASK=${CPUS_PER_TASK:-5}
SRUN_ARGS=${SRUN_ARGS:-}
PREEMPT_NOTICE_S=${PREEMPT_NOTICE_S:-120}
RESUME_ARGS=()
if [[ ${SLURM_RESTART_COUNT:-0} -gt 0 ]]; then  # a requeued job continues its checkpoint
    RESUME_ARGS=(--resume)
fi
ROOT=$(cd "$(dirname "$0")/.." && pwd)

# SRUN_ARGS is split into words on purpose: it holds several srun flags; the WORK_DIR_ARGS
# form keeps `set -u` happy with an empty array on bash < 4.4 (CentOS 7 login nodes)
# shellcheck disable=SC2086
STATUS=0
PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}" \
srun -p "$PARTITION" \
    --job-name="$JOB_NAME" \
    --gres=gpu:"$GPUS_PER_NODE" \
    --ntasks="$GPUS" \
    --ntasks-per-node="$GPUS_PER_NODE" \
    --cpus-per-task="$CPUS_PER_TASK" \
    --kill-on-bad-exit=1 \
    --signal=USR1@"$PREEMPT_NOTICE_S" \
    $SRUN_ARGS \
    python -u "$ROOT/tools/train.py" "$CONFIG" ${WORK_DIR_ARGS[@]+"${WORK_DIR_ARGS[@]}"} \
    --launcher slurm ${RESUME_ARGS[@]+"${RESUME_ARGS[@]}"} "$@" || STATUS=$?

if [[ $STATUS -eq 75 && -n ${SLURM_JOB_ID:-} ]]; then  # checkpoint saved: run the rest later
    echo "preempted with a checkpoint: requeueing job $SLURM_JOB_ID (it resumes)" >&2
    scontrol requeue "$SLURM_JOB_ID"
fi
exit "$STATUS"
