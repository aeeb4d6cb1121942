# Ablation C (seed 001, fix 3). Hypothesis: stronger structure supervision (contrastive
# weight x2, LPIPS 0.1 on the x1 estimate for the first 2/3 of training; seed: first 50k)
# gives samples continuous edges sooner.
# LPIPS needs torchvision's VGG16 ImageNet weights as a local file (no downloads):
#   --cfg-options model.losses.lpips.backbone_weights=/path/to/vgg16-397923af.pth
_base_ = ["../fm_gridquery.py"]

model = dict(
    loss_terms=dict(
        contrastive=dict(weight=2.0),
        lpips=dict(
            type="MappedLossTerm",
            loss=dict(
                type="LPIPSLoss", net="vgg", backbone_weights="data/weights/vgg16-397923af.pth"
            ),
            inputs=["x1_estimate", "x1"],
            weight=[(0, 0.1), (800, 0.1), (801, 0.0)],  # 2/3 of 1,200
        ),
    )
)
