# Hypothesis: minibatch exact OT in pixel space (OT-CFM's coupling) pairs noise with digits
# too weakly at batch 64 for one step; FGW on features against the memory bank does better.
# Exact OT within the batch, no memory bank; every loss term kept.
_base_ = ["../gfgw_fm.py"]
model = dict(memory_bank=None, memory_coupling=None, coupling=dict(type="ExactOTCoupling"))
