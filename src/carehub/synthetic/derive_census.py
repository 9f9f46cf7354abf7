"""Derive the small census table the seeder uses: ethnic group by London borough, Census 2021 (ONS TS021).

Run once, by hand, when the source changes; the product never reads the source at run time, only the JSON this
writes (committed as src/carehub/synthetic/data/census_2021_ethnic_group_london.json):

    python -m carehub.synthetic.derive_census ../shared/data/census_2021_ethnic_group/census2021-ts021-msoa.csv.gz

The source is the unmodified ONS/Nomis bulk file of TS021 by MSOA (2021). Each London local authority is the sum of
its MSOAs, matched on the MSOA name ("Barking and Dagenham 001" belongs to Barking and Dagenham), which is how the
shared DERIVED_london_boroughs file was made too. ONS perturbs small cells, so a borough may differ by a few dozen
people from the local-authority table; proportions are unaffected.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
from pathlib import Path

from carehub.core.london import BOROUGHS

OUTPUT = Path(__file__).resolve().parent / "data" / "census_2021_ethnic_group_london.json"

# Census column suffix (after "Ethnic group: ") -> Care Hub's ONS 2021 category code (carehub.people.monitoring).
COLUMNS: dict[str, str] = {
    "Asian, Asian British or Asian Welsh: Bangladeshi": "asian_bangladeshi",
    "Asian, Asian British or Asian Welsh: Chinese": "asian_chinese",
    "Asian, Asian British or Asian Welsh: Indian": "asian_indian",
    "Asian, Asian British or Asian Welsh: Pakistani": "asian_pakistani",
    "Asian, Asian British or Asian Welsh: Other Asian": "asian_other",
    "Black, Black British, Black Welsh, Caribbean or African: African": "black_african",
    "Black, Black British, Black Welsh, Caribbean or African: Caribbean": "black_caribbean",
    "Black, Black British, Black Welsh, Caribbean or African: Other Black": "black_other",
    "Mixed or Multiple ethnic groups: White and Asian": "mixed_white_asian",
    "Mixed or Multiple ethnic groups: White and Black African": "mixed_white_black_african",
    "Mixed or Multiple ethnic groups: White and Black Caribbean": "mixed_white_black_caribbean",
    "Mixed or Multiple ethnic groups: Other Mixed or Multiple ethnic groups": "mixed_other",
    "White: English, Welsh, Scottish, Northern Irish or British": "white_british",
    "White: Irish": "white_irish",
    "White: Gypsy or Irish Traveller": "white_gypsy_traveller",
    "White: Roma": "white_roma",
    "White: Other White": "white_other",
    "Other ethnic group: Arab": "other_arab",
    "Other ethnic group: Any other ethnic group": "other_any",
}
TOTAL_COLUMN = "Ethnic group: Total: All usual residents"


def read_msoa_rows(path: Path) -> list[dict[str, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def sum_by_borough(rows: list[dict[str, str]]) -> dict[str, dict]:
    """Sum MSOA counts into the 33 London local authorities, keyed by ONS code."""
    code_by_name = {name: code for code, name in BOROUGHS.items()}
    boroughs: dict[str, dict] = {}
    for row in rows:
        authority = row["geography"].rsplit(" ", 1)[0]
        code = code_by_name.get(authority)
        if code is None:
            continue
        entry = boroughs.setdefault(
            code, {"name": authority, "msoas": 0, "population": 0, "counts": dict.fromkeys(COLUMNS.values(), 0)}
        )
        entry["msoas"] += 1
        entry["population"] += int(row[TOTAL_COLUMN])
        for column, category in COLUMNS.items():
            entry["counts"][category] += int(row[f"Ethnic group: {column}"])
    missing = set(BOROUGHS) - set(boroughs)
    if missing:
        raise SystemExit(f"no MSOAs found for {sorted(missing)}: is this the TS021 MSOA file?")
    return dict(sorted(boroughs.items()))


def check_totals(boroughs: dict[str, dict]) -> None:
    """The 19 categories must add up to the total: a renamed column would otherwise pass silently."""
    for code, entry in boroughs.items():
        if sum(entry["counts"].values()) != entry["population"]:
            raise SystemExit(f"{code}: categories do not add up to the population")


def build_table(source: Path) -> dict:
    boroughs = sum_by_borough(read_msoa_rows(source))
    check_totals(boroughs)
    return {
        "title": "Usual residents by ethnic group (19 categories), London boroughs and the City of London",
        "source": "ONS, Census 2021, table TS021 'Ethnic group', by MSOA (Nomis bulk file census2021-ts021-msoa.csv)",
        "licence": "Open Government Licence v3.0 (contains ONS data, Crown copyright and database right 2023)",
        "method": "MSOA counts summed into local authorities by MSOA name; made by carehub.synthetic.derive_census",
        "categories": list(COLUMNS.values()),
        "boroughs": boroughs,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="census2021-ts021-msoa.csv(.gz)")
    parser.add_argument("--out", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    table = build_table(args.source)
    args.out.write_text(json.dumps(table, indent=1, ensure_ascii=False) + "\n")
    total = sum(b["population"] for b in table["boroughs"].values())
    print(f"Wrote {args.out}: {len(table['boroughs'])} boroughs, {total:,} usual residents.")


if __name__ == "__main__":
    main()
