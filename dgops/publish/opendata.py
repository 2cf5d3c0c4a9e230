"""Open data of a released run: CSV files, their Frictionless data package, the national
catalogue record and DCAT — all generated from one metadata definition.

The definition is ``templates/publish/dataset.yaml`` (:class:`DatasetMeta`, read through
:mod:`dgops.configfile`) plus the run (years, dates, version) and the files written (sizes,
SHA-256). The CSV files are UTF-8 with a BOM (Excel opens Thai correctly), ``\\n`` line ends,
sorted by agency code, numbers formatted once: the same run gives byte-identical files.
Only agency-level facts go out — never a contact's name, e-mail or phone.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import Field

from dgops.configfile import ConfigModel, load_model
from dgops.publish.data import PublicationData
from dgops.publish.tables import group_label

__all__ = [
    "DatasetMeta",
    "Resource",
    "agency_results_frame",
    "catalogue_record",
    "data_package",
    "dcat_graph",
    "load_dataset_meta",
    "response_status_frame",
    "sha256_file",
    "write_csv",
]

BOM = "\ufeff"


class DatasetMeta(ConfigModel):
    """The dataset's metadata (DGA's catalogue fields; see docs/publication.md)."""

    name: str = Field(pattern=r"^[a-z0-9-]{2,100}$")
    title_th: str
    title_en: str | None = None
    description_th: str
    publisher_th: str
    publisher_url: str
    owner_org: str
    maintainer: str
    maintainer_email: str
    tags: list[str]
    objective: str
    update_frequency_unit: str
    update_frequency_interval: int
    geo_coverage: str
    data_source: str
    data_category: str
    data_classification: str
    data_type: str
    data_language: list[str]
    license_id: str
    license_title_th: str
    license_url: str
    accessible_condition: str
    disaggregate: list[str]
    calculation_method: str
    data_release_calendar: str
    allow_harvest: bool = True
    landing_page: str
    download_base_url: str


def load_dataset_meta(path: Path) -> DatasetMeta:
    """Read the metadata definition (unknown keys refused)."""
    return load_model(path, DatasetMeta)


@dataclass(frozen=True)
class Resource:
    """One published file with its Table Schema fields (name, type, Thai title)."""

    name: str
    path: str
    title_th: str
    fields: list[tuple[str, str, str]]
    primary_key: str
    sha256: str
    size: int


GROUP_COLUMNS = ["level", "agency_type", "mission", "ministry", "province"]
GROUP_TITLES = {
    "agency_code": "รหัสหน่วยงาน",
    "agency_name_th": "ชื่อหน่วยงาน",
    "level": "ระดับหน่วยงาน (รหัส)",
    "level_th": "ระดับหน่วยงาน",
    "agency_type": "ประเภทหน่วยงาน (รหัส)",
    "agency_type_th": "ประเภทหน่วยงาน",
    "mission": "ภารกิจหลัก (รหัส)",
    "mission_th": "ภารกิจหลัก",
    "ministry": "กระทรวง (สังกัด)",
    "province": "จังหวัด",
}


def _agency_columns(data: PublicationData) -> pd.DataFrame:
    a = data.agencies
    out = pd.DataFrame({"agency_code": a["code"], "agency_name_th": a["name_th"]}, index=a.index)
    for col in GROUP_COLUMNS:
        out[col] = a[col]
        if col in ("level", "agency_type", "mission"):
            out[f"{col}_th"] = [group_label(col, v) if v is not None else None for v in a[col]]
    return out


def agency_results_frame(data: PublicationData) -> tuple[pd.DataFrame, list[tuple[str, str, str]]]:
    """Released results of every scored agency: overall and pillar scores and levels."""
    base = _agency_columns(data)
    s = data.scores[data.scores["kind"].isin(["overall", "pillar"])]
    fields = [(c, "string", GROUP_TITLES[c]) for c in base.columns]
    items = [("overall", "ภาพรวม")] + [(p.code, p.name_th) for p in data.framework.pillars]
    wide = pd.DataFrame(index=sorted({int(x) for x in s["agency_id"]}))
    for code, name in items:
        part = s[s["code"] == code].set_index("agency_id")
        key = code.lower().replace(".", "_")
        wide[f"{key}_score"] = part["score"].reindex(wide.index)
        wide[f"{key}_level"] = part["level"].reindex(wide.index)
        fields.append((f"{key}_score", "number", f"คะแนน {name}"))
        fields.append((f"{key}_level", "integer", f"ระดับความพร้อม {name} (1–5)"))
    frame = base.join(wide, how="inner").sort_values("agency_code")
    return frame.reset_index(drop=True), fields


def response_status_frame(data: PublicationData) -> tuple[pd.DataFrame, list[tuple[str, str, str]]]:
    """Every enrolled agency's response status (responded, scored)."""
    base = _agency_columns(data)
    base["status"] = data.agencies["status"]
    base["responded"] = data.agencies["responded"].astype(bool)
    base["scored"] = data.agencies["scored"].astype(bool)
    fields = [(c, "string", GROUP_TITLES[c]) for c in base.columns[:-3]]
    fields += [
        (
            "status",
            "string",
            "สถานะแบบสำรวจ (not_started, in_progress, submitted, returned, verified)",
        ),
        ("responded", "boolean", "ตอบแบบสำรวจแล้ว"),
        ("scored", "boolean", "ได้รับการประเมิน"),
    ]
    return base.sort_values("agency_code").reset_index(drop=True), fields


def _cell(value: Any, kind: str) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    if kind == "number":
        return f"{float(value):.2f}"
    if kind == "integer":
        return str(int(value))
    if kind == "boolean":
        return "true" if bool(value) else "false"
    return str(value)


def write_csv(path: Path, frame: pd.DataFrame, fields: Sequence[tuple[str, str, str]]) -> Path:
    """Write ``frame`` as UTF-8 with BOM, ``\\n`` line ends, values formatted by field type."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([f[0] for f in fields])
    kinds = [f[1] for f in fields]
    for row in frame[[f[0] for f in fields]].itertuples(index=False):
        writer.writerow([_cell(v, k) for v, k in zip(row, kinds, strict=True)])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((BOM + buf.getvalue()).encode("utf-8"))
    return path


def sha256_file(path: Path) -> str:
    """The file's SHA-256 (hex)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _dates(data: PublicationData) -> tuple[str, int, int]:
    first = data.previous.year_be if data.previous is not None else data.cycle_year
    return data.released_on.isoformat(), first, data.cycle_year


def data_package(
    meta: DatasetMeta, data: PublicationData, resources: Sequence[Resource]
) -> dict[str, Any]:
    """The Frictionless ``datapackage.json`` (paths relative to the package's ``data/``)."""
    released, _, _ = _dates(data)
    return {
        "name": meta.name,
        "title": meta.title_th,
        "description": meta.description_th,
        "version": data.version,
        "created": f"{released}T00:00:00+07:00",
        "homepage": meta.landing_page,
        "keywords": list(meta.tags),
        "licenses": [
            {"name": meta.license_id, "path": meta.license_url, "title": meta.license_title_th}
        ],
        "contributors": [
            {"title": meta.publisher_th, "path": meta.publisher_url, "role": "publisher"}
        ],
        "resources": [
            {
                "name": r.name,
                "path": r.path,
                "title": r.title_th,
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8-sig",
                "bytes": r.size,
                "hash": f"sha256:{r.sha256}",
                "schema": {
                    "fields": [{"name": n, "type": t, "title": title} for n, t, title in r.fields],
                    "primaryKey": [r.primary_key],
                    "missingValues": [""],
                },
            }
            for r in resources
        ],
    }


def catalogue_record(
    meta: DatasetMeta, data: PublicationData, resources: Sequence[Resource]
) -> dict[str, Any]:
    """The dataset as the national CKAN catalogue holds it (DGA's metadata fields)."""
    released, first, last = _dates(data)
    return {
        "name": meta.name,
        "title": meta.title_th,
        "notes": meta.description_th,
        "owner_org": meta.owner_org,
        "maintainer": meta.maintainer,
        "maintainer_email": meta.maintainer_email,
        "tags": [{"name": t} for t in meta.tags],
        "objective": meta.objective,
        "update_frequency_unit": meta.update_frequency_unit,
        "update_frequency_interval": str(meta.update_frequency_interval),
        "geo_coverage": meta.geo_coverage,
        "data_source": meta.data_source,
        "data_format": "CSV",
        "license_id": meta.license_id,
        "accessible_condition": meta.accessible_condition,
        "data_category": meta.data_category,
        "data_classification": meta.data_classification,
        "data_type": meta.data_type,
        "data_language": list(meta.data_language),
        "first_year_of_data": str(first),
        "last_year_of_data": str(last),
        "disaggregate": list(meta.disaggregate),
        "calculation_method": meta.calculation_method,
        "data_release_calendar": meta.data_release_calendar,
        "last_updated_date": released,
        "created_date": released,
        "allow_harvest": "True" if meta.allow_harvest else "False",
        "version": data.version,
        "url": meta.landing_page,
        "resources": [
            {
                "name": r.title_th,
                "url": meta.download_base_url + data.version + "/" + r.path,
                "format": "CSV",
                "description": r.title_th,
                "hash": r.sha256,
                "size": r.size,
            }
            for r in resources
        ],
    }


def dcat_graph(meta: DatasetMeta, data: PublicationData, resources: Sequence[Resource]) -> Any:
    """The dataset in DCAT (an rdflib ``Graph``; serialise as Turtle or JSON-LD)."""
    from rdflib import BNode, Graph, Literal, Namespace, URIRef
    from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

    vcard = Namespace("http://www.w3.org/2006/vcard/ns#")
    spdx = Namespace("http://spdx.org/rdf/terms#")
    freq = Namespace("http://purl.org/cld/freq/")
    released, first, last = _dates(data)
    g = Graph()
    for prefix, ns in (
        ("dcat", DCAT),
        ("dct", DCTERMS),
        ("foaf", FOAF),
        ("vcard", vcard),
        ("spdx", spdx),
    ):
        g.bind(prefix, ns)
    ds = URIRef(meta.landing_page)
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, DCTERMS.identifier, Literal(f"{meta.name}/{data.version}")))
    g.add((ds, DCTERMS.title, Literal(meta.title_th, lang="th")))
    if meta.title_en:
        g.add((ds, DCTERMS.title, Literal(meta.title_en, lang="en")))
    g.add((ds, DCTERMS.description, Literal(meta.description_th, lang="th")))
    g.add((ds, URIRef("http://www.w3.org/ns/dcat#version"), Literal(data.version)))
    g.add((ds, DCTERMS.issued, Literal(released, datatype=XSD.date)))
    g.add((ds, DCTERMS.modified, Literal(released, datatype=XSD.date)))
    g.add((ds, DCAT.landingPage, URIRef(meta.landing_page)))
    g.add((ds, DCTERMS.license, URIRef(meta.license_url)))
    g.add((ds, DCTERMS.language, URIRef("http://id.loc.gov/vocabulary/iso639-1/th")))
    if meta.update_frequency_unit == "ปี" and meta.update_frequency_interval == 1:
        g.add((ds, DCTERMS.accrualPeriodicity, freq.annual))
    for tag in meta.tags:
        g.add((ds, DCAT.keyword, Literal(tag, lang="th")))
    publisher = URIRef(meta.publisher_url)
    g.add((ds, DCTERMS.publisher, publisher))
    g.add((publisher, RDF.type, FOAF.Organization))
    g.add((publisher, FOAF.name, Literal(meta.publisher_th, lang="th")))
    contact = URIRef(meta.landing_page + "#contact")
    g.add((ds, DCAT.contactPoint, contact))
    g.add((contact, RDF.type, vcard.Organization))
    g.add((contact, vcard.fn, Literal(meta.maintainer, lang="th")))
    g.add((contact, vcard.hasEmail, URIRef(f"mailto:{meta.maintainer_email}")))
    period = URIRef(meta.landing_page + "#period")
    g.add((ds, DCTERMS.temporal, period))
    g.add((period, RDF.type, DCTERMS.PeriodOfTime))
    g.add((period, DCAT.startDate, Literal(str(first - 543), datatype=XSD.gYear)))
    g.add((period, DCAT.endDate, Literal(str(last - 543), datatype=XSD.gYear)))
    for r in resources:
        dist = URIRef(meta.download_base_url + data.version + "/" + r.path)
        g.add((ds, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.title, Literal(r.title_th, lang="th")))
        g.add((dist, DCAT.downloadURL, dist))
        g.add(
            (dist, DCAT.mediaType, URIRef("https://www.iana.org/assignments/media-types/text/csv"))
        )
        g.add((dist, DCTERMS.format, Literal("CSV")))
        g.add((dist, DCAT.byteSize, Literal(r.size, datatype=XSD.nonNegativeInteger)))
        g.add((dist, DCTERMS.license, URIRef(meta.license_url)))
        checksum = BNode(f"checksum{r.name.replace('_', '')}")
        g.add((dist, spdx.checksum, checksum))
        g.add((checksum, RDF.type, spdx.Checksum))
        g.add((checksum, spdx.algorithm, spdx.checksumAlgorithm_sha256))
        g.add((checksum, spdx.checksumValue, Literal(r.sha256, datatype=XSD.hexBinary)))
    return g


def dumps(obj: Any) -> bytes:
    """JSON as the package writes it: UTF-8, Thai as is, sorted keys, two-space indent."""
    return (json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")
