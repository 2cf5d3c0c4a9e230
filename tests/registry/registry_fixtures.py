"""Shared by the registry tests: where the fixture files are, and their generator module."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "registry"


def _load_make_bad() -> ModuleType:
    name = "registry_make_bad"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, FIXTURES / "make_bad.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


MAKE_BAD = _load_make_bad()


def titled_with_formula(path: Path) -> Path:
    """A registry workbook as operators keep one: last year's list as a hidden sheet in front,
    this year's under a merged title row, and one name computed by a formula (B5)."""
    from openpyxl import Workbook

    from dgops.registry.writer import header_row, record_row

    records = MAKE_BAD.RECORDS
    wb = Workbook()
    old = wb.active
    assert old is not None
    old.title = "ทะเบียน 2565"
    old.append(list(header_row("en")))
    old.append(list(record_row(records[0])))
    old.sheet_state = "hidden"
    ws = wb.create_sheet("ทะเบียน 2566")
    ws["A1"] = "ทะเบียนหน่วยงาน ปี 2566"
    ws.merge_cells("A1:E1")
    for offset, values in enumerate([header_row("en"), *map(record_row, records)]):
        for col, value in enumerate(values, start=1):
            ws.cell(row=3 + offset, column=col, value=value)
    ws["B5"] = '=CONCATENATE("สำนักงาน";"จังหวัดเชียงใหม่")'
    wb.save(path)
    return path
