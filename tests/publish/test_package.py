"""The seminar package of a released run: refused before release, complete, true to the
database, free of personal data, reproducible."""

from __future__ import annotations

import csv
import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine

from dgops.db import Database
from dgops.fieldwork import response_rates
from dgops.framework import Framework
from dgops.publish import PublicationData, build_package, gather
from dgops.publish.tables import MIN_GROUP, build_tables
from dgops.results import ReleaseError, level_distribution, load_scores


def _gather(engine: Engine, mini: Framework, config: Path) -> PublicationData:
    with Database(engine).begin() as session:
        return gather(session, 2566, config_path=config, framework=mini)


def test_should_refuse_a_cycle_without_a_released_run(
    engine: Engine, mini: Framework, config: Path, make: Callable[..., int]
) -> None:
    make(engine, mini, release=False)
    with pytest.raises(ReleaseError, match="no released results"):
        _gather(engine, mini, config)


@pytest.fixture
def package(
    sqlite_engine: Engine, mini: Framework, config: Path, tmp_path: Path, make: Callable[..., int]
) -> tuple[PublicationData, Path]:
    make(sqlite_engine, mini)
    data = _gather(sqlite_engine, mini, config)
    out = build_package(data, tmp_path / "out")
    return data, out.folder


def test_should_write_every_part_into_a_dated_versioned_folder(
    package: tuple[PublicationData, Path],
) -> None:
    data, folder = package
    assert folder.name == f"dgrs-2566-r{data.run_id}-{data.released_on.isoformat()}"
    for name in (
        "report-2566.pdf",
        "tables-2566.xlsx",
        "slides-2566.pptx",
        "charts/maturity.svg",
        "charts/maturity.png",
        "charts/provinces.svg",
        "charts/charts.json",
        "data/agency_results.csv",
        "data/response_status.csv",
        "data/datapackage.json",
        "data/catalogue.json",
        "data/dcat.ttl",
        "data/dcat.jsonld",
        "manifest.json",
        "SHA256SUMS",
    ):
        assert (folder / name).is_file(), name
    charts = json.loads((folder / "charts" / "charts.json").read_text(encoding="utf-8"))
    assert all(c["alt"].strip() for c in charts)
    done = subprocess.run(
        ["sha256sum", "-c", "SHA256SUMS"], cwd=folder, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_should_validate_the_data_package_with_frictionless(
    package: tuple[PublicationData, Path],
) -> None:
    from frictionless import validate

    _, folder = package
    report = validate(str(folder / "data" / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]
    raw = (folder / "data" / "agency_results.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")


def test_should_describe_the_dataset_in_dcat_and_the_catalogue_record(
    package: tuple[PublicationData, Path],
) -> None:
    from rdflib import Graph
    from rdflib.namespace import DCAT, DCTERMS, RDF

    data, folder = package
    ttl = Graph().parse(folder / "data" / "dcat.ttl", format="turtle")
    jsonld = Graph().parse(folder / "data" / "dcat.jsonld", format="json-ld")
    assert len(ttl) == len(jsonld) > 20
    datasets = list(ttl.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) == 1
    titles = {str(t) for t in ttl.objects(datasets[0], DCTERMS.title)}
    assert "ผลการสำรวจระดับความพร้อมรัฐบาลดิจิทัลของหน่วยงานภาครัฐ รายหน่วยงาน" in titles
    assert len(list(ttl.objects(datasets[0], DCAT.distribution))) == 2
    record = json.loads((folder / "data" / "catalogue.json").read_text(encoding="utf-8"))
    for key in ("title", "name", "notes", "owner_org", "maintainer", "objective", "license_id",
                "data_category", "data_classification", "data_type", "first_year_of_data",
                "last_year_of_data", "last_updated_date", "allow_harvest"):  # fmt: skip
        assert record[key], key
    assert record["last_year_of_data"] == "2566"
    package_json = json.loads((folder / "data" / "datapackage.json").read_text(encoding="utf-8"))
    assert package_json["name"] == record["name"]
    assert package_json["version"] == record["version"] == data.version


def test_should_put_no_personal_data_of_contacts_in_the_package(
    package: tuple[PublicationData, Path],
) -> None:
    _, folder = package
    for path in folder.rglob("*"):
        if path.is_file() and path.suffix in {".csv", ".json", ".ttl", ".jsonld", ".svg"}:
            text = path.read_text(encoding="utf-8-sig")
            for needle in ("สมชาย", "somchai", "@agency", "02-555-"):
                assert needle not in text, (path.name, needle)
    text = _pdf_text(folder / "report-2566.pdf")
    assert "สมชาย" not in text
    assert "somchai" not in text


def has(squeezed: str, needle: str) -> bool:
    """``needle`` (spaces ignored) in text squeezed of whitespace."""
    return "".join(needle.split()) in squeezed


def _pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def test_should_print_the_databases_numbers_in_the_report(
    sqlite_engine: Engine, package: tuple[PublicationData, Path]
) -> None:
    data, folder = package
    # Line breaks fall anywhere in Thai: compare without whitespace.
    text = "".join(_pdf_text(folder / "report-2566.pdf").split())
    with Database(sqlite_engine).begin() as session:
        rates = response_rates(session, 2566)
        scores = load_scores(session, data.run_id)
    total = rates.iloc[0]
    assert has(text, f"ได้รับเชิญตอบแบบสำรวจทั้งสิ้น {int(total['total'])} หน่วยงาน")
    assert has(text, f"ตอบกลับ {int(total['responded'])} หน่วยงาน")
    assert has(text, f"อัตราการตอบกลับร้อยละ {total['rate']:.2f}")
    overall = scores[scores["kind"] == "overall"]["score"]
    assert has(text, f"คะแนนเฉลี่ยภาพรวมของหน่วยงานที่ได้รับการประเมินเท่ากับ {overall.mean():.2f}")
    assert "จำนวนผู้ตอบ" in text
    assert "ขั้นกลาง" in text
    assert "ไม่มีผลการสำรวจปีก่อนสำหรับเปรียบเทียบ" in text
    dist = level_distribution(scores)
    pcts = dist.loc["overall"].to_dict()
    share = float(pcts["pct_3"]) + float(pcts["pct_4"]) + float(pcts["pct_5"])
    assert has(text, f"ร้อยละ {share:.1f} อยู่ในระดับขั้นกลาง")


def test_should_match_fieldwork_rates_per_group(
    sqlite_engine: Engine, package: tuple[PublicationData, Path]
) -> None:
    data, _ = package
    tables = {t.key: t for t in build_tables(data)}
    with Database(sqlite_engine).begin() as session:
        by_ministry = response_rates(session, 2566, by="ministry")
    rows = {r[0]: r for r in tables["T14_response_ministry"].rows}
    for ministry, row in by_ministry.iterrows():
        assert rows[ministry][1] == row["total"]
        assert rows[ministry][2] == row["responded"]


def test_should_not_print_a_percent_for_a_group_under_five(
    package: tuple[PublicationData, Path],
) -> None:
    data, _ = package
    tables = {t.key: t for t in build_tables(data)}
    mission = tables["T23_maturity_mission"]
    policy = next(r for r in mission.rows if r[0].startswith("ด้านนโยบาย"))
    assert policy[1] < MIN_GROUP
    assert policy[2:7] == [None] * 5
    assert any("น้อยกว่า 5 หน่วยงาน" in n for n in mission.notes_th)
    nan = next(r for r in tables["T31_provinces"].rows if r[0] == "น่าน")
    assert nan[4] is None


def test_should_give_byte_identical_csvs_for_the_same_run(
    sqlite_engine: Engine,
    mini: Framework,
    config: Path,
    package: tuple[PublicationData, Path],
    tmp_path: Path,
) -> None:
    _data, first = package
    again = build_package(_gather(sqlite_engine, mini, config), tmp_path / "again", slides=False)
    for name in ("agency_results.csv", "response_status.csv", "datapackage.json", "catalogue.json"):
        assert (first / "data" / name).read_bytes() == (again.folder / "data" / name).read_bytes()
    manifest = json.loads((again.folder / "manifest.json").read_text(encoding="utf-8"))
    assert {e["path"] for e in manifest["files"]} >= {"data/agency_results.csv", "report-2566.pdf"}


def test_should_publish_each_scored_agencys_released_scores(
    sqlite_engine: Engine, package: tuple[PublicationData, Path]
) -> None:
    data, folder = package
    with (folder / "data" / "agency_results.csv").open(encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    with Database(sqlite_engine).begin() as session:
        scores = load_scores(session, data.run_id, "overall").set_index("agency_id")
    assert len(rows) == len(scores)
    by_code = dict(zip(data.agencies["code"], data.agencies.index, strict=True))
    overall = dict(zip(scores.index, scores["score"].astype(float), strict=True))
    for row in rows:
        assert row["overall_score"] == f"{overall[by_code[row['agency_code']]]:.2f}"
        assert "contact" not in " ".join(row)


def test_should_publish_a_cycle_whose_every_group_is_under_five(
    sqlite_engine: Engine, mini: Framework, config: Path, tmp_path: Path, make: Callable[..., int]
) -> None:
    from pptx import Presentation

    make(sqlite_engine, mini, n=4)
    data = _gather(sqlite_engine, mini, config)
    out = build_package(data, tmp_path / "out")

    slides = Presentation(str(out.folder / "slides-2566.pptx"))
    texts = [
        shape.text_frame.text
        for slide in slides.slides
        for shape in slide.shapes
        if shape.has_text_frame
    ]
    assert any("ไม่มีข้อมูลเพียงพอสำหรับแผนภูมินี้" in t for t in texts)
