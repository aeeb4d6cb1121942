# Hypothesis (seed 002): growing epsilon 0 -> 0.1 cuts artifacts by 60% and adds 2.3 dB of
# structure PSNR over a fixed epsilon; here the fixed one is 0 (exact OT throughout).
_base_ = ["../isonext.py"]
model = dict(coupling=dict(epsilon=0.0))
