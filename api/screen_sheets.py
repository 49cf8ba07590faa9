"""摸排's tables with Chinese headers, for the terminal and Excel, shared by ``tupu screen`` and
the ``/screen`` routes: the review sheet of a registry run (its 决定 column read back by
``tupu screen decide --from``), the target list, the merge candidates."""
from __future__ import annotations

from typing import Any

from api.exports import to_xlsx
from graph.privacy import mask_text
from graph.screening.merge import MERGEABLE
from graph.screening.targets import KINDS as TARGET_KINDS

STATUS_ZH = {"match": "匹配", "possible": "可能", "new": "新"}


# the text columns a number typed inside a name could reach (never the codes: a 统一社会信用代码
# may be eighteen digits)
TEXT_COLUMNS = ("名称", "单位名称", "依据", "其他候选", "区划", "负责党组织", "说明", "保留名称", "并入名称")


def _masked(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for row in rows:
        for k in TEXT_COLUMNS:
            if isinstance(row.get(k), str):
                row[k] = mask_text(row[k])
    return rows


def review_rows(results: list[Any]) -> list[dict[str, Any]]:
    return _masked(_review_rows(results))


def _review_rows(results: list[Any]) -> list[dict[str, Any]]:
    return [{"来源": m.row.source, "文件": m.row.file, "行号": m.row.row, "名称": m.row.name,
             "统一社会信用代码": m.row.uscc or "", "登记状态": m.row.status or "", "从业人数": m.row.staff,
             "状态": STATUS_ZH[m.status], "单位编码": m.unit or "", "单位名称": m.unit_name or "",
             "相似度": round(m.score, 3), "依据": "；".join(m.evidence),
             "其他候选": "；".join(f"{c.name}（{c.unit}，{c.score:.2f}）" for c in m.candidates),
             "决定": ""} for m in results]


def review_xlsx(results: list[Any]) -> bytes:
    return to_xlsx({"比对结果": review_rows(results)})


def target_rows(found: list[Any]) -> list[dict[str, Any]]:
    return _masked([{"类型": t.kind, "名称": t.name, "统一社会信用代码": t.uscc or "", "台账单位编码": t.unit or "",
             "区划": t.region_name or t.region or "", "负责党组织": t.responsible_name or "",
             "从业人数": t.staff, "登记状态": t.status or "", "来源": t.source, "行号": t.row, "说明": t.reason}
            for t in found])


def targets_xlsx(found: list[Any]) -> bytes:
    """One sheet per kind, for the visiting teams."""
    return to_xlsx({k: target_rows([t for t in found if t.kind == k]) for k in TARGET_KINDS})


def duplicate_rows(found: list[Any]) -> list[dict[str, Any]]:
    return _masked([{"类型": MERGEABLE[d.label], "保留": d.keep, "保留名称": d.keep_name, "并入": d.drop,
             "并入名称": d.drop_name, "相似度": round(d.score, 3), "依据": "；".join(d.evidence),
             "区划": d.region_name or d.region or "", "关联数": "，".join(f"{k} {v}" for k, v in d.links.items())}
            for d in found])


def duplicates_xlsx(found: list[Any]) -> bytes:
    return to_xlsx({"合并候选": duplicate_rows(found)})
