#!/usr/bin/env bash
# Distributed training with torchrun (mmengine's DDP, or FSDP for configs with `strategy`):
#   tools/dist_train.sh CONFIG NGPUS [train.py args...]
# One node: PORT=29501 tools/dist_train.sh configs/fm_gridquery.py 8 --work-dir work_dirs/x
# Two nodes: run on each with NNODES=2 NODE_RANK=0|1 MASTER_ADDR=<node 0's address>.
# Without GPUs the processes train on CPU over gloo (one per NGPUS; tools/train.py).
set -euo pipefail

if [[ $# -lt 2 || ! $2 =~ ^[1-9][0-9]*$ ]]; then
    echo "usage: $0 CONFIG NGPUS [train.py args...]  (env: NNODES NODE_RANK MASTER_ADDR PORT)" >&2
    exit 2
fi
CONFIG=$1
NGPUS=$2
NNODES=${NNODES:-1}
NODE_RANK=${NODE_RANK:-0}
PORT=${PORT:-29500}
MASTER_ADDR=${MASTER_ADDR:-127.0.0.1}
ROOT=$(cd "$(dirname "$0")/.." && pwd)

PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}" \
torchrun \
    --nnodes="$NNODES" \
    --node_rank="$NODE_RANK" \
    --master_addr="$MASTER_ADDR" \
    --nproc_per_node="$NGPUS" \
    --master_port="$PORT" \
    "$ROOT/tools/train.py" \
    "$CONFIG" \
    --launcher pytorch "${@:3}"
