# GFGW-FM (seed 003) at its own scale: CIFAR-10, the seed's U-Net (128 ch, mults 1,2,2,2,
# attention at 16, dropout 0.1, 4 blocks per level: 63M parameters), DINOv2 ViT-S/14 features,
# VGG LPIPS, batch 256, a bank of 16,384 entries (the seed kept ~50k; 16k x 3x32x32 floats
# is 200 MB of buffers, saved in every checkpoint). Needs local files only:
#   data/cifar10/cifar-10-python.tar.gz, data/weights/dinov2/ (a facebookresearch/dinov2
#   clone with dinov2_vits14_pretrain.pth), data/weights/vgg16-397923af.pth
# A GPU job: python tools/train.py configs/gfgw_fm-cifar10.py (see the README's anchors).
_base_ = ["gfgw_fm.py"]
data_root = "data/cifar10"  # the archive, cifar-10-batches-py/, or a folder holding either
batch_size = 256
total_kimg = 200_000  # 200 Mimg (iCT: 400k iterations x 1,024); the seed's test ran 100 kimg
max_iters = total_kimg * 1000 // batch_size  # 781,250
model = dict(
    backbone=dict(
        in_channels=3,
        patch_size=1,
        base_channels=128,
        channel_mults=(1, 2, 2, 2),
        num_res_blocks=4,  # 63M parameters (the seed reports 61.8M)
        attention_resolutions=(16,),
        dropout=0.1,
        groups=32,
    ),
    time_sampler=dict(first_stage_iters=10_000 // batch_size),  # 10 kimg: 39 iterations
    feature_network=dict(
        _delete_=True, type="DINOv2FeatureNetwork", weights="data/weights/dinov2", arch="vits14"
    ),
    memory_bank=dict(size=16384),
    memory_draw=2048,  # seed 003
    memory_coupling=dict(
        alpha=dict(points=[(0, 0.1), (total_kimg, 0.125)]),
        epsilon=dict(points=[(0, 0.1), (total_kimg, 0.087)]),
        max_iter=10,
    ),
    loss_terms=dict(
        lpips=dict(
            loss=dict(
                _delete_=True,
                type="LPIPSLoss",
                net="vgg",
                backbone_weights="data/weights/vgg16-397923af.pth",
            )
        )
    ),
)
optim_wrapper = dict(optimizer=dict(lr=1e-4, betas=(0.9, 0.999)))  # seed 003
param_scheduler = [
    dict(type="LinearLR", start_factor=0.01, by_epoch=False, begin=0, end=1000),
    dict(
        type="CosineAnnealingLR",
        T_max=max_iters - 1000,
        eta_min=1e-5,
        by_epoch=False,
        begin=1000,
        end=max_iters,
    ),
]
train_cfg = dict(max_iters=max_iters, val_interval=10_000)
train_dataloader = dict(
    batch_size=batch_size,
    num_workers=2,
    persistent_workers=True,
    # seed 003: horizontal flips
    dataset=dict(_delete_=True, type="CIFAR10Dataset", root=data_root, hflip_prob=0.5),
)
# validation draws 100 fixed seeds for the sample grid; FID needs 50k samples and Inception
# weights from a local file: python tools/evaluate.py configs/gfgw_fm-cifar10.py CKPT
#   --num-samples 50000 --features inception --feature-weights
#   data/weights/inception_v3_google-0cc3c7bd.pth (torchvision's inception_v3 state dict)
val_dataloader = dict(dataset=dict(num_samples=100))
val_evaluator = []
default_hooks = dict(checkpoint=dict(interval=10_000))
custom_hooks = [
    dict(type="SafeCheckpointsHook"),
    dict(type="TrainProgressHook"),
    dict(
        type="EMAHook",
        ema_type="HalfLifeEMA",
        batch_images=batch_size,  # images per update: x the number of GPUs under DDP
        ema_halflife_kimg=500.0,
        ema_rampup_ratio=0.05,
    ),
    dict(type="CheckpointCompatibilityHook"),
    dict(type="RNGStateHook"),
    dict(type="PreemptionHook"),
    dict(type="RunRecordHook"),
    dict(type="LossEMAHook", momentum=0.02),
    dict(type="KimgStatsHook", kimg_per_tick=100.0),
    dict(type="SampleGridHook", per_row=10),
]
