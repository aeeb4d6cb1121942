# Hypothesis (seed 000): v-prediction beats eps-prediction on the latent potentials; eps here
# (Min-SNR-5 weights it min(SNR, 5) / SNR).
_base_ = ["../greendiff_ldm.py"]
model = dict(target=dict(_delete_=True, type="EpsilonTarget"))
