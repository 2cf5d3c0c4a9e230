"""Publication rounding: half up, Decimal-based, immune to binary noise."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from dgops.scoring import round_half_up


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (82.505, 82.51),  # banker's rounding and float repr would both give 82.5
        (2.675, 2.68),  # binary 2.67499999…
        (0.125, 0.13),
        (69.40749999999999, 69.41),  # noise below 1e-9 is removed first
        (69.4049, 69.40),
        (-1.005, -1.01),  # half away from zero
        (100.0, 100.0),
    ],
)
def test_should_round_half_up_to_two_places(value: float, expected: float) -> None:
    assert round_half_up(value) == pytest.approx(expected, abs=1e-12)


def test_should_keep_nan_and_work_on_series_and_frames() -> None:
    assert math.isnan(round_half_up(float("nan")))
    series = round_half_up(pd.Series([1.005, np.nan]))
    assert series.iloc[0] == 1.01
    assert np.isnan(series.iloc[1])
    frame = round_half_up(pd.DataFrame({"a": [0.125], "b": [2.5]}), 0)
    assert frame.to_dict("list") == {"a": [0.0], "b": [3.0]}
