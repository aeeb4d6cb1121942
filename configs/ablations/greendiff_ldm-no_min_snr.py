# Hypothesis (seed 000): Min-SNR-5 weighting helps; here every time step weighs the same.
_base_ = ["../greendiff_ldm.py"]
model = dict(weighting=None)
