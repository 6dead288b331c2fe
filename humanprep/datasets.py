"""The five datasets: names, secrets' environment variables, demo passwords.

Kept free of heavy imports: the Snakefile reads it at parse time, on every SLURM job too.
"""

DATASETS = ("shhq", "fdh", "deepfashion2", "huge100k", "celeba")

TITLES = {
    "shhq": "SHHQ-1.0 (StyleGAN-Human)",
    "fdh": "FDH (Flickr Diverse Humans)",
    "deepfashion2": "DeepFashion2",
    "huge100k": "HuGe100K (IDOL)",
    "celeba": "Multi-Modal-CelebA-HQ with CelebAMask-HQ",
}

# Environment variable that holds each dataset's archive password (None: not encrypted).
PASSWORD_ENV = {
    "shhq": "HUMANPREP_SHHQ_PASSWORD",
    "fdh": None,
    "deepfashion2": "HUMANPREP_DEEPFASHION2_PASSWORD",
    "huge100k": None,
    "celeba": None,
}

# Documented demo values: the demo archives are encrypted with these, and the demo
# run exports them into its own environment (never into params or command lines).
DEMO_PASSWORDS = {
    "shhq": "humanprep-demo-shhq",
    "deepfashion2": "humanprep-demo-deepfashion2",
}
