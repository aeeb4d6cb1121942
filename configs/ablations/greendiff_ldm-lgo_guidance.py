# Hypothesis (seed 000): the Latent Green Operator as gradient guidance at sampling time pulls
# samples towards the measured LDOS. Same training as greendiff_ldm.py (sample its checkpoint
# with this config). Scale 0.1 with observation std 0.1 (normalised LDOS): physics error
# 0.204 -> 0.182 on 100 held-out maps; 0.01 / 0.03 gave 0.194 / 0.186, and 1.0 overshot to
# 0.318 (saturated potentials): the operator itself is 0.196 off on true latents.
_base_ = ["../greendiff_ldm.py"]
model = dict(loss_terms=dict(lgo=dict(guidance_scale=0.1)))
