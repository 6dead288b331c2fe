"""A job that fails as a wrong archive password does, counting how often its work ran."""

from humanprep.errors import HumanprepError
from humanprep.runner import run


def main(smk):
    with open("work/wrong_password.calls", "a") as calls:
        calls.write("ran\n")
    raise HumanprepError("raw/toy.zip", "wrong password (set HUMANPREP_TOY_PASSWORD)")


run(snakemake, main)  # noqa: F821
