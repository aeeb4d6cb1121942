# LDOS maps of disordered 32x32 square lattices (seed 000), made by
#   python tools/make_ldos_dataset.py --lattice square --size 32 --num 5000 \
#       --energies -3 -2 -1 0.5 --disorder gaussian --strength 1 --correlation-length 2 \
#       --solver exact --broadening 0.1 --out data/ldos_square32
# (exact broadened Green's function, eta = 0.1 t; ~N min on 2 cores). The last 500 maps are
# held out for bench/greendiff_physics.py. 4,500 maps / batch 64 ~ 70 iterations per epoch.
data_root = "data/ldos_square32"
energies = [-3.0, -2.0, -1.0, 0.5]  # in units of the hopping t; the clean band is [-4, 4]
lattice_size = 32

# whole batches by one tensor index per field (greenreg/datasets/batched_indexing.py); the
# "greenreg." scope: mmengine's Runner looks collate functions up in its root registry
train_dataloader = dict(
    batch_size=64,
    num_workers=0,  # the maps sit in memory; worker processes would only add start-up time
    sampler=dict(type="ResumableInfiniteSampler", shuffle=True),
    collate_fn=dict(type="greenreg.batched_collate"),
    dataset=dict(
        type="LDOSMapDataset",
        data_root=data_root,
        split="train",
        test_size=500,
        energies=energies,
        size=lattice_size,
    ),
)
# no sampling validation during training: bench/greendiff_physics.py recomputes the LDOS of
# generated potentials with the physics solver, the measure that matters here
val_dataloader = None
val_evaluator = None
val_cfg = None
