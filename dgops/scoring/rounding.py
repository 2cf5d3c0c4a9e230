"""Rounding for publication: half up (82.505 → 82.51), never banker's rounding."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from typing import overload

import pandas as pd

__all__ = ["round_half_up"]

# Scores are computed in binary floating point: 69.4075 may come out as 69.40749999999999.
# Snapping to 9 decimals first removes that noise (scores carry far fewer real decimals),
# then the publication rounding is half up.
_NOISE = Decimal("1e-9")


def _one(value: float, places: int) -> float:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return math.nan
    snapped = Decimal(repr(float(value))).quantize(_NOISE, rounding=ROUND_HALF_EVEN)
    return float(snapped.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


@overload
def round_half_up(x: float, places: int = 2) -> float: ...
@overload
def round_half_up(x: pd.Series, places: int = 2) -> pd.Series: ...
@overload
def round_half_up(x: pd.DataFrame, places: int = 2) -> pd.DataFrame: ...


def round_half_up(
    x: float | pd.Series | pd.DataFrame, places: int = 2
) -> float | pd.Series | pd.DataFrame:
    """Round half away from zero to ``places`` decimals (Decimal-based), for publishing only.

    Works on a number, a Series or a DataFrame of floats; NaN stays NaN. Keep full precision
    in every computation and round only the figures that are shown.
    """
    if isinstance(x, pd.DataFrame):
        frame: pd.DataFrame = x.apply(lambda col: round_half_up(col.astype(float), places))
        return frame.astype(float)
    if isinstance(x, pd.Series):
        return x.astype(float).map(lambda v: _one(v, places)).astype(float)
    return _one(x, places)
