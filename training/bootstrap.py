"""Cluster bootstrap: resample whole groups (A/B tests, creators) rather than rows.

Rows of one group are not independent draws (the pairs of one A/B test share a lede and
an image; a creator's videos share a record and a voice), so an interval from resampled
rows would be too narrow.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np


def cluster_resamples(
    clusters: Sequence[str] | np.ndarray, n: int = 2000, seed: int = 0
) -> Iterator[np.ndarray]:
    """``n`` resamples, each the row indices of as many groups as there are, drawn with
    replacement (groups in sorted order, one ``integers`` draw per resample)."""
    clusters = np.asarray(clusters)
    members = [np.flatnonzero(clusters == c) for c in np.unique(clusters)]
    rng = np.random.default_rng(seed)
    for _ in range(n):
        yield np.concatenate([members[k] for k in rng.integers(0, len(members), len(members))])
