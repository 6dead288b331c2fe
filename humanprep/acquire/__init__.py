"""Fetching the datasets' archives: where they come from and how they are downloaded."""
