# Hypothesis (seed 000): the Latent Green Operator as gradient guidance at sampling time pulls
# samples towards the measured LDOS. Same training as greendiff_ldm.py (evaluate its
# checkpoint with this config); guidance_scale 1 with observation std 0.1 (normalised LDOS).
_base_ = ["../greendiff_ldm.py"]
model = dict(loss_terms=dict(lgo=dict(guidance_scale=1.0)))
