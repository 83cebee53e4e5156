"""What every benchmark script reports its samples with."""

from __future__ import annotations


def percentile(samples: list[float], p: float) -> float:
    """The nearest-rank p-th percentile of the samples (p in 0..100)."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def timing_line(name: str, samples: list[float], width: int = 58) -> str:
    """One result line: the name, how many samples, p50, p95 and the slowest, in ms."""
    return (
        f"{name:<{width}} n={len(samples):<4} p50={percentile(samples, 50):8.2f} ms  "
        f"p95={percentile(samples, 95):8.2f} ms  max={max(samples):8.2f} ms"
    )
