"""The seed's own department (中共乐山市金口河区委办公室, 2024 部门决算): tables derived from the 项-level
figures its narrative gives, narrative printed as published (with the publisher's inconsistencies)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from samples.accounts import Accounts, Item
from samples.document import Document, DocumentSource, build_tables, render
from samples.layouts import load_layouts
from samples.money import fen_of
from samples.narrative import Block, DocumentText, toc
from samples.truth import save_document

SEED_KEY = "sc-leshan-jkh-qwb"
_DATA = "seed_jinkouhe_2024.yaml"


@cache
def seed_data() -> dict[str, Any]:
    text = resources.files("samples").joinpath("data").joinpath(_DATA).read_text(encoding="utf-8")
    return yaml.safe_load(text)


def seed_accounts() -> Accounts:
    data = seed_data()
    unit = load_layouts()[data["department"]["layout"]].unit

    def fen(text: str | None) -> int:
        return fen_of(text, unit) if text else 0

    items = {}
    for code, raw in data["items"].items():
        item = Item(
            str(code),
            gpb_personnel=fen(raw.get("gpb_personnel")),
            gpb_public=fen(raw.get("gpb_public")),
            gpb_project=fen(raw.get("gpb_project")),
            nf_personnel=fen(raw.get("nf_personnel")),
            nf_public=fen(raw.get("nf_public")),
            nf_project=fen(raw.get("nf_project")),
            gpb_income=fen(raw.get("gpb_income")),
        )
        if raw.get("other_income"):
            item.nf_income = {"other": fen(raw["other_income"])}
        items[item.code] = item
    accounts = Accounts(
        year=data["department"]["year"],
        report_kind="final",
        items=items,
        econ={str(code): (fen(p), fen(u)) for code, (p, u) in data["econ"].items()},
        three_public={item: (fen(b), fen(a)) for item, (b, a) in data["three_public"].items()},
        nf_carryover_begin=fen(data["nf_carryover_begin"]),
    )
    problems = accounts.check()
    if problems:
        raise ValueError(f"{_DATA}: {problems}")
    return accounts


def _blocks(raw: list[dict[str, str]]) -> list[Block]:
    return [next(iter(entry.items())) for entry in raw]


def build_seed_document() -> Document:
    data = seed_data()
    dept = data["department"]
    layout = load_layouts()[dept["layout"]]
    source = DocumentSource(
        stem=dept["stem"],
        layout=layout,
        level="department",
        year=dept["year"],
        department_name=dept["name"],
        heading_name=dept["name"],
        region_name=dept["region"],
        accounts=seed_accounts(),
        zero_cell="",
        thousands=False,
    )
    tables = build_tables(source)
    text = DocumentText()
    text.parts["toc"] = toc(layout.name, list(layout.parts), [t.title for t in tables], source.words())
    text.parts["overview"] = _blocks(data["overview"])
    text.parts["narrative"] = _blocks(data["narrative"])
    text.parts["glossary"] = _blocks(data["glossary"])
    return Document(source, tables, render(source, tables, text))


SEED_NOTES = """
## The seed department
Tables derived from the 15 项 of the narrative's 五（三） (see samples/data/seed_jinkouhe_2024.yaml).
The narrative is printed as published; its figures that differ from the tables (publisher's errors):

| narrative | printed | tables |
|---|---|---|
| §一 收、支总计 | 863.44 | 863.43 (863.22 + 0.21) |
| §五 一般公共预算财政拨款支出 (also §五（一）（三）) | 863.19 | 863.18 (Σ of the 15 项) |
| §五（二） 社会保障和就业支出 | 67.49 | 67.48 (its 项 35.55+17.29+2.8+3.44+8.40) |
| §五（二） 农林水支出 | 0.52 | 0.51 (its only 项) |
| §三 基本支出 (also the performance report) | 535.68 | 535.62 (§六: 人员经费 488.11 + 公用经费 47.51) |
| §三 项目支出 | 327.57 | 327.63 (本年支出合计 863.25 − 基本支出 535.62) |
| §十 机关运行经费 "比 2022 年度" | 2022 | the comparison year is 2023 |

DOMAIN.md reads 基本支出 535.68 (§三) and 535.62 (§六) as one figure printed two ways: the tables print the
one §六 itemises, and the 0.06 paid from other income is project spending.
"""


def write_seed_document(out_dir: Path, extra_meta: dict[str, object] | None = None) -> Path:
    return save_document(Path(out_dir), build_seed_document(), extra_notes=SEED_NOTES, extra_meta=extra_meta)
