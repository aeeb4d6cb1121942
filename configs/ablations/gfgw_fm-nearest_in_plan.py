# Hypothesis: with M > B the exact FGW plan spreads each row over ~M/B bank entries (every
# entry must receive mass), and its argmax is an arbitrary member of that share: outputs
# regress onto the share's blurred mean. Training each row towards the member of its own
# share that it resembles most keeps the plan's coverage and sharpens the one step.
_base_ = ["gfgw_fm-exact_fgw.py"]
model = dict(memory_coupling=dict(target="nearest_in_plan"))
