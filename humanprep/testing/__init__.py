"""Test helpers that are real components: a local HTTP server with fault injection."""
