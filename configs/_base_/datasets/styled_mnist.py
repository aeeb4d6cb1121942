# Seed 002's task with a ground truth: the embedded MNIST-5k digits (structure, batch key
# `source`) and their renderings in six styles (`inputs`; `label` = the style). The 4,000
# train digits x 6 styles = 24,000 pairs; validation: the first 50 held-out digits in every
# style (300 pairs the generator never saw), each scored against its true rendering.
# whole batches by one tensor index per field (greenreg/datasets/batched_indexing.py); the
# "greenreg." scope: mmengine's Runner looks collate functions up in its root registry
train_dataloader = dict(
    batch_size=64,
    num_workers=0,  # the data sit in memory
    sampler=dict(type="ResumableInfiniteSampler", shuffle=True),
    collate_fn=dict(type="greenreg.batched_collate"),
    dataset=dict(type="StyledDigitsDataset", source="mnist", split="train", image_size=32),
)
val_dataloader = dict(
    batch_size=100,
    num_workers=0,
    sampler=dict(type="DefaultSampler", shuffle=False),
    collate_fn=dict(type="greenreg.batched_collate"),
    dataset=dict(
        type="StyledDigitsDataset", source="mnist", split="heldout", image_size=32, num_digits=50
    ),
)
val_evaluator = dict(type="StyleTransferMetric")
val_cfg = dict(type="ValLoop")
