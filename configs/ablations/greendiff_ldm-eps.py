# Hypothesis (seed 000): v-prediction beats eps-prediction on the latent potentials; eps here
# (Min-SNR-5 weights it min(SNR, 5) / SNR). The cosine path starts at SNR 0, where eps says
# nothing about x1, so sampling starts at t = 0.02 (log SNR -6.9) instead.
_base_ = ["../greendiff_ldm.py"]
model = dict(
    target=dict(_delete_=True, type="EpsilonTarget"),
    path=dict(sampling_start=0.02),
)
