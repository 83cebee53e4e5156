"""What every benchmark script reports its samples with."""

from __future__ import annotations


def percentile(samples: list[float], p: float) -> float:
    """The nearest-rank p-th percentile of the samples (p in 0..100)."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]
