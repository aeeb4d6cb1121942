# Reference, not a seed claim: shuffled sources and no OT (unpaired I-CFM): the floor that
# shows what the OT coupling adds.
_base_ = ["../isonext.py"]
model = dict(coupling=dict(_delete_=True, type="IndependentCoupling"))
