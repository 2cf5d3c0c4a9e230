r"""The check frame: one row per response, the columns the suites read.

For every question ``Q`` (see :func:`dgops.quality.suites.column_names`):

- ``Q`` — the value to check: the option id (choices), the selected ids joined by ``|``
  (multiple choice), the number (numbers and percentages), the stripped text;
- ``Q__kind`` — the JSON kind of the answer (``string``, ``number``, ``boolean``, ``array``,
  ``object``), None when not answered (missing, blank text);
- ``Q__if_shown`` / ``Q__if_hidden`` — the kind where the question is shown (``(hidden)``
  elsewhere) / where it is hidden (None elsewhere): show-if decided exactly as the scoring
  engine does, hiding cascading. Conditions are columns rather than GE ``row_condition``\s:
  a row condition costs a ``DataFrame.query`` over the whole (wide) frame per expectation;
- ``Q__evidence`` — claims at level 3 and above: whether an evidence file is attached where
  the answer is positive (a claim), None elsewhere;
- ``Q__peer_z`` — numbers only: a robust z-score against the agencies of the same level
  (median and MAD of ``log1p`` for counts, of the value for percentages); NaN with fewer than
  ten peers or no spread.

Plus ``response_id`` and ``__fingerprint`` (a hash of every answer, for responses with at
least ten answers; duplicated or copied responses share it).
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Collection, Mapping
from typing import Any

import numpy as np
import pandas as pd

from dgops.framework import Framework, Question, is_claim, is_missing
from dgops.quality.suites import column_names

__all__ = ["FINGERPRINT", "MIN_ANSWERS_FOR_FINGERPRINT", "MIN_PEERS", "build_check_frame"]

FINGERPRINT = "__fingerprint"
MIN_ANSWERS_FOR_FINGERPRINT = 10
MIN_PEERS = 10


def _kind(value: Any) -> str | None:
    if is_missing(value):
        return None
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number" if math.isfinite(float(value)) else "string"
    if isinstance(value, str):
        return "string" if value.strip() else None
    if isinstance(value, list | tuple):
        return "array"
    return "object"


def _value(q: Question, value: Any) -> Any:
    if q.type in ("number", "percentage"):
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        return float(value) if ok and math.isfinite(float(value)) else np.nan
    if q.type == "multiple_choice":
        return "|".join(str(v) for v in value) if isinstance(value, list | tuple) else None
    if isinstance(value, str):
        return value.strip() or None
    if q.type in ("yes_no", "single_choice") and _kind(value) is not None:
        return json.dumps(value, ensure_ascii=False, default=str)  # never an option id
    return None


def _shown(framework: Framework, answers: pd.DataFrame) -> dict[str, np.ndarray]:
    # The scoring engine's vectorised show-if over cleaned columns (invalid answers count as
    # missing, hidden answers cascade), so quality and scoring never disagree on visibility.
    from dgops.scoring import clean_column, condition_mask

    n = len(answers)
    columns: dict[str, Any] = {}
    shown: dict[str, np.ndarray] = {}
    none = np.full(n, None, dtype=object)
    for q in framework.questions:
        raw = answers[q.id].to_numpy(dtype=object) if q.id in answers.columns else none
        col = clean_column(q, raw)
        visible = (
            np.ones(n, dtype=bool) if q.show_if is None else condition_mask(q.show_if, columns, n)
        )
        columns[q.id] = col.masked(visible)
        shown[q.id] = visible
    return shown


def _peer_z(values: pd.Series, groups: pd.Series, *, log: bool) -> pd.Series:
    x = np.log1p(values.clip(lower=0)) if log else values
    frame = pd.DataFrame({"x": x, "g": groups.fillna("-")})
    grouped = frame.groupby("g")["x"]
    median = grouped.transform("median")
    mad = (frame["x"] - median).abs().groupby(frame["g"]).transform("median") * 1.4826
    mean_ad = (frame["x"] - median).abs().groupby(frame["g"]).transform("mean") * 1.2533
    scale = mad.where(mad > 0, mean_ad)
    count = grouped.transform("count")
    z = (frame["x"] - median).abs() / scale.where(scale > 0)
    return z.where(count >= MIN_PEERS)


def _fingerprint(row: Mapping[str, Any]) -> str | None:
    answered = {k: v for k, v in row.items() if _kind(v) is not None}
    if len(answered) < MIN_ANSWERS_FOR_FINGERPRINT:
        return None
    text = json.dumps(answered, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def build_check_frame(
    framework: Framework,
    answers: pd.DataFrame,
    *,
    evidence: Collection[tuple[int, str]] = (),
    peer_groups: pd.Series | None = None,
) -> pd.DataFrame:
    """The check frame of ``answers`` (index: response id; a column per question id).

    ``evidence``: (response id, question id) pairs that have an evidence file;
    ``peer_groups``: the peer group of each response (e.g. the agency's level), by response id.
    """
    index = answers.index
    n = len(index)
    groups = (
        peer_groups.reindex(index).astype(object)
        if peer_groups is not None
        else pd.Series("-", index=index, dtype=object)
    )
    shown = _shown(framework, answers)
    attached = set(evidence)
    out: dict[str, Any] = {"response_id": index.to_numpy(dtype=np.int64)}
    none = [None] * n
    for q in framework.questions:
        cols = column_names(q.id)
        raw = answers[q.id].tolist() if q.id in answers.columns else none
        out[cols["value"]] = [_value(q, v) for v in raw]
        out[cols["kind"]] = [_kind(v) for v in raw]
        visible = shown[q.id]
        kinds = out[cols["kind"]]
        out[cols["if_shown"]] = [
            k if v else "(hidden)" for k, v in zip(kinds, visible, strict=True)
        ]
        out[cols["if_hidden"]] = [None if v else k for k, v in zip(kinds, visible, strict=True)]
        if q.type in ("number", "percentage"):
            numbers = pd.Series(out[cols["value"]], index=index, dtype="float64")
            out[cols["peer_z"]] = _peer_z(numbers, groups, log=q.type == "number").to_numpy()
        if q.level is not None and q.level >= 3 and q.evidence != "none":
            out[cols["evidence"]] = [
                ((int(r), q.id) in attached) if is_claim(q, v) else None
                for r, v in zip(index, raw, strict=True)
            ]
    records = answers.to_dict(orient="records")
    out[FINGERPRINT] = [_fingerprint({str(k): v for k, v in r.items()}) for r in records]
    frame = pd.DataFrame(out, index=pd.RangeIndex(n))
    for q in framework.questions:
        cols = column_names(q.id)
        if q.type in ("number", "percentage"):
            frame[cols["value"]] = frame[cols["value"]].astype("float64")
        else:
            frame[cols["value"]] = frame[cols["value"]].astype(object)
        for key in ("kind", "if_shown", "if_hidden", "evidence"):
            if cols[key] in frame.columns:
                frame[cols[key]] = frame[cols[key]].astype(object)
    return frame.copy()  # consolidated blocks: GE's row filters take all columns at once
