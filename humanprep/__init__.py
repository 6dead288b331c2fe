"""humanprep: turn gated human-image dataset downloads into verified, versioned releases."""

__version__ = "0.1.0"
