# Hypothesis (seed 000): holding the denoiser's clean estimate to the LDOS through the Latent
# Green Operator improves physics consistency; here the operator still trains beside the flow
# (so guidance could use it) but its consistency loss on the denoiser is off.
_base_ = ["../greendiff_ldm.py"]
model = dict(loss_terms=dict(lgo=dict(consistency_weight=0.0)))
