# Reference, not a seed claim: the data's true pairing (no shuffle, no OT): supervised
# image-to-image flow, the ceiling for what a coupling that finds the pairs can reach.
_base_ = ["../isonext.py"]
model = dict(
    source=dict(shuffle=False),
    coupling=dict(_delete_=True, type="IndependentCoupling"),
)
