# Ablation B (seed 001, fix 2). Hypothesis: drawing log SNR ~ U[-2, 6] (t in [0.27, 0.95])
# and, for the first half of training, half of each batch from t in [0.8, 1] (alpha > 0.8)
# focuses the model on the mid/high-SNR range where structure forms.
_base_ = ["../fm_gridquery.py"]

model = dict(
    time_sampler=dict(
        _delete_=True,
        type="CurriculumTimeSampler",
        base=dict(type="LogSNRUniformTimeSampler", min_log_snr=-2.0, max_log_snr=6.0),
        early=dict(type="UniformTimeSampler", low=0.8, high=1.0),
        until_iter=600,  # seed: 30k of a 40k+ run; here half of 1,200
        early_fraction=0.5,
    )
)
