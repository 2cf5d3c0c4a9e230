from __future__ import annotations

from pathlib import Path

import pytest

from dgops.letters import load_issuer


def test_should_load_dgas_issuer_with_thai_values_and_the_shipped_emblem() -> None:
    issuer = load_issuer()
    assert issuer.name == "สำนักงานพัฒนารัฐบาลดิจิทัล (องค์การมหาชน)"
    assert issuer.number_prefix == "สพร"
    assert issuer.emblem_path is not None
    assert issuer.emblem_path.is_file()


def test_should_apply_overrides_and_refuse_unknown_keys(tmp_path: Path) -> None:
    assert load_issuer(signer_name="นางสาวทดสอบ").signer_name == "นางสาวทดสอบ"
    bad = tmp_path / "issuer.yaml"
    bad.write_text("name: x\nsignature_colour: blue\n", encoding="utf-8")
    with pytest.raises(ValueError, match="signature_colour"):
        load_issuer(bad)
