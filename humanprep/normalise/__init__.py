"""Per-dataset normalisation into one sharded record schema (see schemas/record.schema.json)."""
