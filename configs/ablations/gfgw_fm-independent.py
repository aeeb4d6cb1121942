# Hypothesis: without OT couplings a one-step generator regresses each noise onto a random
# digit and learns their blurred mean; the FGW memory coupling is what makes one step work.
# Independent pairs within the batch, no memory bank; every loss term kept.
_base_ = ["../gfgw_fm.py"]
model = dict(memory_bank=None, memory_coupling=None, coupling=dict(type="IndependentCoupling"))
