"""Installs greenreg: ``pip install -e .`` (add ``[dev]`` for tests and linting).

torch and torchvision are pinned by the Makefile (pip takes them from the local cache); kwant
is built there too, because its 1.5.0 source release needs a Cython rebuild against numpy 2.
"""

from setuptools import find_packages, setup

setup(
    name="greenreg",
    version="0.1.0",
    description="A registry framework for flow-matching and diffusion models, built on mmengine.",
    python_requires=">=3.10",
    packages=find_packages(include=["greenreg", "greenreg.*"]),
    package_data={"greenreg": ["evaluation/assets/*.pth"]},
    install_requires=[
        "torch>=2.6",
        "torchvision",
        "mmengine==0.10.7",
        "mmcv-lite==2.2.0",
        "numpy",
        "scipy",
        "einops",
        "POT",
        "lpips",
        "mlxtend",
        "scikit-learn",
        "matplotlib",
        "tqdm",
        "threadpoolctl",
        "torchdiffeq",
        "safetensors",
    ],
    extras_require={
        "tensorboard": ["tensorboard"],
        "dev": ["pytest", "ruff", "hypothesis", "tensorboard"],
    },
)
