"""Format facts and safe readers for the datasets' own file formats (see docs/formats.md)."""
