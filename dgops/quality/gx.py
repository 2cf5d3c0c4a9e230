"""Great Expectations, imported only here and only inside functions (the import costs seconds).

A file context lives under ``<var_dir>/quality/gx`` (generated, never committed); its
expectations store points at the top-level ``expectations/`` folder, so the suites are the
committed files. Data Docs go to ``<var_dir>/quality/data_docs`` and are made to render
offline (:mod:`dgops.quality.docs`).
"""

from __future__ import annotations

import contextlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from dgops.quality.suites import SuiteError, SuiteFile, referenced_columns

__all__ = ["Failure", "GxProject", "quiet_gx_logs", "validate_frame"]

_LOGGERS = ("great_expectations", "great_expectations.expectations.registry")

_CONFIG = """\
# Written by dgops.quality.gx (generated: do not commit). Suites live in {expectations}.
config_version: 4
config_variables_file_path: uncommitted/config_variables.yml
plugins_directory: plugins/
stores:
  expectations_store:
    class_name: ExpectationsStore
    store_backend:
      class_name: TupleFilesystemStoreBackend
      suppress_store_backend_id: true
      base_directory: {expectations}
  validation_results_store:
    class_name: ValidationResultsStore
    store_backend:
      class_name: TupleFilesystemStoreBackend
      base_directory: uncommitted/validations/
  checkpoint_store:
    class_name: CheckpointStore
    store_backend:
      class_name: TupleFilesystemStoreBackend
      suppress_store_backend_id: true
      base_directory: checkpoints/
  validation_definition_store:
    class_name: ValidationDefinitionStore
    store_backend:
      class_name: TupleFilesystemStoreBackend
      base_directory: validation_definitions/
expectations_store_name: expectations_store
validation_results_store_name: validation_results_store
checkpoint_store_name: checkpoint_store
data_docs_sites:
  local_site:
    class_name: SiteBuilder
    show_how_to_buttons: false
    store_backend:
      class_name: TupleFilesystemStoreBackend
      base_directory: {docs}
    site_index_builder:
      class_name: DefaultSiteIndexBuilder
analytics_enabled: false
progress_bars:
  globally: false
  metric_calculations: false
"""


def quiet_gx_logs() -> None:
    """Raise Great Expectations' loggers to WARNING (it logs every registered function)."""
    for name in _LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


@dataclass(frozen=True)
class GxProject:
    """Where the file context, the suites and the Data Docs are."""

    root: Path
    expectations_dir: Path
    docs_dir: Path

    @classmethod
    def default(cls) -> GxProject:
        """``<var_dir>/quality/gx``, ``expectations/``, ``<var_dir>/quality/data_docs``."""
        from dgops.settings import get_settings

        s = get_settings()
        return cls(s.var_dir / "quality", s.expectations_dir, s.var_dir / "quality" / "data_docs")

    def write_config(self) -> Path:
        """Write ``gx/great_expectations.yml`` pointing at our folders; return its path."""
        gx_dir = self.root / "gx"
        gx_dir.mkdir(parents=True, exist_ok=True)
        (gx_dir / "uncommitted").mkdir(exist_ok=True)
        path = gx_dir / "great_expectations.yml"
        text = _CONFIG.format(
            expectations=f"{self.expectations_dir.resolve()}/",
            docs=f"{self.docs_dir.resolve()}/",
        )
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        return path

    def context(self) -> Any:
        """The file context (Great Expectations is imported here)."""
        import os

        os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
        quiet_gx_logs()
        self.write_config()
        import great_expectations as gx

        quiet_gx_logs()
        return gx.get_context(mode="file", project_root_dir=str(self.root))


@dataclass(frozen=True)
class Failure:
    """One expectation failed for one response: which rule, and the suite's meta."""

    suite: str
    expectation_type: str
    rule: str
    severity: str
    message_th: str
    message_en: str
    question_id: str | None
    response_id: int
    column: str | None


def _condition_columns(suite: SuiteFile, columns: Any) -> set[str]:
    conditions = []
    for e in suite.data["expectations"]:
        cond = e.get("kwargs", {}).get("row_condition")
        if isinstance(cond, dict):  # GE's own serialisation of a pandas condition
            cond = cond.get("pass_through_filter")
        if isinstance(cond, str):
            conditions.append(cond)
    if not conditions:
        return set()
    text = " ".join(conditions)
    return {c for c in columns if re.search(rf"(?<![\w.]){re.escape(str(c))}(?![\w.])", text)}


def _rows_of(result: dict[str, Any]) -> list[int]:
    rows = result.get("unexpected_index_list") or []
    out: list[int] = []
    for row in rows:
        if isinstance(row, dict) and "response_id" in row:
            out.append(int(row["response_id"]))
    return out


def validate_frame(
    frame: pd.DataFrame,
    suites: list[SuiteFile],
    *,
    project: GxProject,
    context: Any = None,
    build_docs: bool = True,
    run_name: str = "dgops",
) -> list[Failure]:
    """Run every suite over ``frame`` in one checkpoint; the failures per response.

    Raises :class:`SuiteError` when an expectation names a column the frame lacks or fails to
    evaluate (a broken suite): nothing is to be stored then.
    """
    missing = sorted(referenced_columns(suites) - set(frame.columns))
    if missing:
        raise SuiteError(
            "ชุดกฎตรวจสอบอ้างถึงคอลัมน์ที่ไม่มีอยู่ ไม่มีการเปลี่ยนสถานะแบบสำรวจ / suites name unknown "
            "columns, nothing changed: " + ", ".join(missing[:20])
        )
    ctx = context if context is not None else project.context()
    import great_expectations as gx

    source = ctx.data_sources.add_or_update_pandas(name="dgops_responses")
    definitions = []
    frames: dict[str, pd.DataFrame] = {}
    for sf in suites:
        # one asset per suite, fed only the columns the suite reads: GE filters rows per
        # expectation by taking every column of the frame, so narrow frames stay fast
        asset_name = f"responses_{sf.name}"
        try:
            asset = source.get_asset(asset_name)
        except LookupError:
            asset = source.add_dataframe_asset(name=asset_name)
        try:
            batch_def = asset.get_batch_definition("whole")
        except KeyError:
            batch_def = asset.add_batch_definition_whole_dataframe("whole")
        wanted = referenced_columns([sf]) | _condition_columns(sf, frame.columns)
        columns = ["response_id", *sorted(wanted - {"response_id"})]
        frames[sf.name] = frame[columns].copy()
        try:
            suite = ctx.suites.get(sf.name)
        except Exception as exc:  # GE raises its own errors for unreadable suites
            raise SuiteError(
                f"อ่านชุดกฎ {sf.name} ไม่ได้ / Great Expectations cannot load suite {sf.path}: {exc}"
            ) from exc
        # add/get, never add_or_update: the latter saves the suite back into expectations/
        vd_name = f"dgops_{sf.name}"
        try:
            definitions.append(ctx.validation_definitions.get(vd_name))
        except Exception:  # GE raises DataContextError when absent
            definitions.append(
                ctx.validation_definitions.add(
                    gx.ValidationDefinition(data=batch_def, suite=suite, name=vd_name)
                )
            )
    result_format = {
        "result_format": "COMPLETE",
        "unexpected_index_column_names": ["response_id"],
        "partial_unexpected_count": 0,
        "return_unexpected_index_query": False,
    }
    results = []
    for definition, sf in zip(definitions, suites, strict=True):
        from great_expectations.checkpoint.actions import UpdateDataDocsAction

        actions: list[Any] = [UpdateDataDocsAction(name="docs")] if build_docs else []
        cp_name = f"dgops_quality_{sf.name}"
        with contextlib.suppress(Exception):  # GE raises DataContextError when absent
            ctx.checkpoints.delete(cp_name)  # its actions may differ from the last run's
        checkpoint = ctx.checkpoints.add(
            gx.Checkpoint(
                name=cp_name,
                validation_definitions=[definition],
                actions=actions,
                result_format=result_format,
            )
        )
        run = checkpoint.run(batch_parameters={"dataframe": frames[sf.name]})
        results.extend(run.run_results.values())
    failures: list[Failure] = []
    broken: list[str] = []
    for vr in results:
        suite_name = vr.suite_name
        for er in vr.results:
            cfg = er.expectation_config
            info = er.exception_info or {}
            if info.get("raised_exception"):
                broken.append(
                    f"{suite_name}: {cfg.type} {cfg.kwargs}: {info.get('exception_message')}"
                )
                continue
            if er.success:
                continue
            meta = cfg.meta or {}
            res = er.result or {}
            column = cfg.kwargs.get("column") or cfg.kwargs.get("column_A")
            for rid in _rows_of(res):
                failures.append(
                    Failure(
                        suite=suite_name,
                        expectation_type=cfg.type,
                        rule=str(meta.get("rule") or cfg.type),
                        severity=str(meta.get("severity", "error")),
                        message_th=str(meta.get("message_th", "")),
                        message_en=str(meta.get("message_en", "")),
                        question_id=meta.get("question_id"),
                        response_id=rid,
                        column=column,
                    )
                )
    if broken:
        raise SuiteError(
            "ชุดกฎตรวจสอบคุณภาพทำงานไม่ได้ ไม่มีการเปลี่ยนสถานะแบบสำรวจ / broken expectations, "
            "nothing changed:\n" + "\n".join(broken[:20])
        )
    return failures
