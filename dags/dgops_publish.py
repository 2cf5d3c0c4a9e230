"""Build the seminar package of a cycle's released results (report, tables, slides, charts,
open data, manifest).

One task, one call into ``dgops.publish``; the same step runs without Airflow as
``dgops publish --cycle YEAR --out DIR``. The DAG waits for the ``RESULTS_RELEASED`` asset (the
event carries the cycle year) and can be triggered by hand with ``cycle_year``. dgops is imported
inside the task so that parsing this file stays fast. Only the folder and counts go to XCom.
"""

from __future__ import annotations

import logging
from typing import Any

from airflow.sdk import task
from dgops_airflow import cycle_year_param, dgops_dag
from dgops_airflow.assets import RESULTS_RELEASED

log = logging.getLogger(__name__)

DOC_MD = """
### dgops_publish — ชุดเผยแพร่ผลการสำรวจสำหรับการสัมมนา / the seminar publication package

**Owner:** survey-ops (ทีมปฏิบัติการสำรวจ). Starts when results are released (asset
`dgops://results/released`) or by hand (*Trigger DAG w/ config*, `cycle_year` พ.ศ.).

Task: `build` — reads the cycle's **released** run only and writes
`<var_dir>/publication/dgrs-<year>-r<run>-<release date>/` (report PDF, tables XLSX, slides
PPTX, charts SVG/PNG, open data CSV + datapackage.json + catalogue.json + DCAT, manifest with
SHA-256). Re-running for the same run rewrites the same files (CSV byte-identical).

**Triage**
- `build` failed, not retried, "no released results": the cycle's run is not released yet —
  release it (`dgops results release --cycle YEAR --run N`), then trigger again.
- "code frame"/"รหัส" errors: the publication config or code frame file under
  `templates/publish/` is invalid (the log names file and key).
- Uncoded free-text answers are counted as such in the report; code them
  (`dgops coding export` / `dgops coding import`) and run again.
"""


@task
def build() -> dict[str, Any]:
    """Write the package of the released run; returns its folder and part timings."""
    from dgops_airflow import task_env

    from dgops.publish import CodingError, publish_cycle
    from dgops.results import ReleaseError

    with task_env(no_retry=(ReleaseError, CodingError)) as env, env.db.begin() as session:
        out = publish_cycle(session, env.cycle_year, env.settings.var_dir / "publication")
    log.info("Package %s: %s", out.folder, out.timings)
    return {"folder": str(out.folder), "files": len(out.files), "uncoded": out.uncoded}


@dgops_dag(
    "dgops_publish",
    schedule=RESULTS_RELEASED,
    cycle_year=cycle_year_param(when_empty="the year of the results-released event"),
    tags=["publish"],
    doc_md=DOC_MD,
)
def dgops_publish() -> None:
    build()


dgops_publish()
