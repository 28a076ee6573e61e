"""Fitting and comparing conversion models on a held-out split of groups."""

from __future__ import annotations

import numpy as np

from models.conversion import ConversionModel
from tests.models.test_conversion import _simulate
from training.train_conversion import fit_and_compare, subset


def test_figures_come_from_held_out_groups_and_refit_learns_from_every_row():
    rows, _ = _simulate(160, 11)
    probe, _ = _simulate(20, 12)
    held, new, base, served, mask = fit_and_compare(rows, None, seed=0)
    refit, new_r, base_r, _, mask_r = fit_and_compare(rows, None, seed=0, refit=True)
    assert served is None and np.array_equal(mask, mask_r) and 0 < mask.sum() < len(mask)
    assert not set(rows.groups[mask]) & set(rows.groups[~mask])  # whole groups held out
    # the same held-out figures either way: they are of the fit without the held-out groups
    assert new == new_r and base == base_r
    only_train = ConversionModel.fit(subset(rows, ~mask), seed=0).predict_log(probe.x)
    everything = ConversionModel.fit(rows, seed=0).predict_log(probe.x)
    np.testing.assert_allclose(held.predict_log(probe.x), only_train)
    np.testing.assert_allclose(refit.predict_log(probe.x), everything)
    assert not np.allclose(only_train, everything)
