"""Near-duplicate images within and across datasets: fingerprints, index, pairs, clusters."""
