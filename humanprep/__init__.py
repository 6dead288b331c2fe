"""humanprep: turn gated human-image dataset downloads into verified, versioned releases."""

__version__ = "0.1.0"


def __getattr__(name):
    """`humanprep.load` (see humanprep.loader), imported on first use: no workflow step
    uses it, so it stays out of every step's sources and env (a relative name, which
    humanprep.sources does not follow)."""
    if name == "load":
        import importlib

        return importlib.import_module(".loader", __name__).load
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
