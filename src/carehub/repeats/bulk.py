"""Linkage keys for a whole table at once, in DuckDB: the batch twin of linkage_keys.linkage_keys.

A million rows keyed one by one in Python take most of a minute of CPU; here the work is vectorised:
- normalising: printable-ASCII values (nearly all) go through SQL macros written to match linkage_keys.py's Python
  normalisers character for character (tests/repeats/test_bulk.py holds them equal); any other value goes through
  the Python normaliser itself. Names always go through Python (metaphone has no SQL twin), once per distinct name.
- hashing: each distinct (kind, feature) is hashed once, in SQL, with the same HMAC as people.crypto.lookup_hash
  (linkage_keys.hmac_sql). A feature held by a single record cannot agree with any other record, so it is not hashed at
  all: its key is a placeholder unique to that record (the row number), which compares exactly as its hash would.
  Names and their one-edit neighbours are compared across fields and lists, so every shared one is hashed.
The result holds keys only, as 64-bit integers; the plain values live in this connection's memory and nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from carehub.people import linkage_keys
from carehub.people.crypto import normalise_email, normalise_name, normalise_phone, normalise_postcode

INPUT_COLUMNS = ("record_id", "given_name", "family_name", "date_of_birth", "postcode", "address", "phone", "email")
# Used when present, blank otherwise: a town, a house number kept apart from its street, a second address line.
OPTIONAL_COLUMNS = ("town", "county", "address_2", "street_number")
DOB_FORMAT = "%Y-%m-%d"
PRINTABLE_ASCII = "[ -~]*"  # the SQL macros below are exact twins of the Python normalisers on these values


def _sql_pattern(pattern: str) -> str:
    """A linkage_keys regular expression for RE2 on printable ASCII: Python's \\s is a space there; quotes doubled."""
    return pattern.replace("\\s", " ").replace("'", "''")


# Twins of people.crypto.normalise_phone / normalise_email / normalise_postcode and linkage_keys.postcode_features /
# linkage_keys.address_line, step for step, valid for printable ASCII only (where Python's \s is a space, \d is 0-9 and
# casefold() is lower()). tests/repeats/test_bulk.py holds each equal to its Python original.
MACROS = (
    # Digits only; "00" dropped; "44" and nine or more digits in national form with one leading 0. One regular
    # expression per step: a macro that names its argument twice would compute it twice.
    """CREATE MACRO norm_phone(v) AS regexp_replace(regexp_replace(regexp_replace(v, '[^0-9]', '', 'g'), '^00', ''),
           '^44(?:0([0-9]{8,})|([1-9][0-9]{8,}))$', '0\\1\\2')""",
    "CREATE MACRO norm_email(v) AS lower(trim(v))",
    # The optional columns (batch only, no Python twin): letters and digits, lower case, accents dropped.
    "CREATE MACRO plain_word(v) AS nullif(regexp_replace(strip_accents(lower(v)), '[^a-z0-9]', '', 'g'), '')",
    "CREATE MACRO norm_postcode(v) AS upper(replace(v, ' ', ''))",
    """CREATE MACRO postcode_parts(p) AS
           regexp_extract(p, '^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9])([A-Z]{2})$', ['district', 'digit', 'unit'])""",
    # Up to the end of the last part holding a digit, else the first non-blank part.
    """CREATE MACRO address_kept(v) AS regexp_replace(v, '^(?:(.*[0-9][^,]*)|[ ,]*([^,]*)).*$', '\\1\\2')""",
    f"""CREATE MACRO address_spaced(v) AS
           ' ' || trim(regexp_replace(v, '{_sql_pattern(linkage_keys.ADDRESS_SEPARATORS)}', '  ', 'g')) || ' '""",
    f"""CREATE MACRO norm_address(v) AS regexp_replace(regexp_replace(regexp_replace(
           address_spaced(address_kept(lower(v))),
           '{_sql_pattern(linkage_keys.ADDRESS_DROPPED)}', ' ', 'g'),
           '{_sql_pattern(linkage_keys.STREET_WORDS)}', '{linkage_keys.STREET_INITIALS}', 'g'),
           '[^a-z0-9]', '', 'g')""",
)


class InputError(ValueError):
    """The input cannot be linked as it stands; the message names the column, or the row and the value."""


def private_connection() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB that may not spill to disk: plain identity data never reaches a file."""
    con = duckdb.connect(":memory:")
    con.execute("SET temp_directory = ''")
    con.execute("SET enable_progress_bar = false")
    return con


def load_csv(con: duckdb.DuckDBPyConnection, path: str, *, strict: bool = False) -> Loaded:
    """Read INPUT into table `plain` (all text, blanks as NULL, `rid` numbering rows from 1).

    Only what makes the whole file unusable stops the run (InputError): a file that cannot be read as CSV, no
    record_id column, a blank or repeated record_id. A value its column cannot use (see REJECTED) is set aside as
    missing and listed in table `rejects`, so one bad date of birth does not cost the other records their matching;
    a column that is absent is blank throughout. `strict` stops at the first of either instead, naming the row.
    """
    try:
        con.execute(
            "CREATE TABLE raw AS SELECT * FROM read_csv(?, header = true, all_varchar = true, auto_detect = true)",
            [path],
        )
    except duckdb.Error as exc:
        raise InputError(f"could not read {path} as CSV: {exc}") from exc
    present = {row[0] for row in con.execute("SELECT column_name FROM (DESCRIBE raw)").fetchall()}
    missing = [c for c in INPUT_COLUMNS if c not in present]
    if "record_id" not in present or (strict and missing):
        raise InputError(f"column {', '.join(missing)} missing from {path} (expected: {', '.join(INPUT_COLUMNS)})")
    wanted = (*INPUT_COLUMNS, *OPTIONAL_COLUMNS)
    cleaned = ", ".join(f"nullif(trim({c}), '') AS {c}" if c in present else f"NULL::VARCHAR AS {c}" for c in wanted)
    con.execute(f"CREATE TABLE plain AS SELECT row_number() OVER () AS rid, {cleaned} FROM raw")  # noqa: S608
    con.execute("DROP TABLE raw")
    # A house number given apart from its street belongs in the first line, where the address key looks for it.
    con.execute(
        """UPDATE plain SET address = street_number || coalesce(' ' || address, '')
           WHERE street_number IS NOT NULL AND NOT starts_with(coalesce(address, ''), street_number)"""
    )
    _check_ids(con)
    rejected = _set_aside(con, strict)
    records = con.execute("SELECT count(*) FROM plain").fetchall()[0][0]
    return Loaded(records, rejected, tuple(missing), tuple(c for c in OPTIONAL_COLUMNS if c in present))


@dataclass(frozen=True)
class Loaded:
    """What reading INPUT found: its records, values set aside per column, and which columns it had."""

    records: int
    rejected: dict[str, int]  # column -> values set aside as missing
    absent: tuple[str, ...]  # input columns not in the file (blank throughout)
    optional: tuple[str, ...]  # optional columns the file has


def _check_ids(con: duckdb.DuckDBPyConnection) -> None:
    blank = con.execute("SELECT rid FROM plain WHERE record_id IS NULL ORDER BY rid LIMIT 1").fetchall()
    if blank:
        raise InputError(f"row {blank[0][0]}: record_id is blank")
    repeated = con.execute(
        """SELECT rid, record_id, first_rid, n FROM (
               SELECT rid, record_id, min(rid) OVER w AS first_rid, count(*) OVER w AS n FROM plain
               WINDOW w AS (PARTITION BY record_id))
           WHERE rid > first_rid ORDER BY rid LIMIT 1"""
    ).fetchall()
    if repeated:
        rid, record_id, first, n = repeated[0]
        raise InputError(
            f"row {rid}: record_id {record_id!r} appears {n} times (first at row {first}): record ids must be unique"
        )


# Column -> (SQL true when a value cannot be used, the reason given in rejects.csv). A rejected value is missing for
# matching: a mistyped date must not agree with anything, and a phone holding letters is probably another field.
REJECTED: dict[str, tuple[str, str]] = {
    "date_of_birth": (
        f"try_strptime(date_of_birth, '{DOB_FORMAT}') IS NULL",
        "not a date in YYYY-MM-DD form",
    ),
    "email": ("NOT regexp_full_match(email, '[^@\\s]+@[^@\\s]+')", "not an email address (name@domain)"),
    "phone": (
        "regexp_matches(phone, '[^0-9\\s+().-]') OR NOT regexp_matches(phone, '[0-9]')",
        "not a phone number (digits, spaces and + ( ) - . only)",
    ),
}


def _set_aside(con: duckdb.DuckDBPyConnection, strict: bool) -> dict[str, int]:
    """Table `rejects` (rid, record_id, column, reason; never the value), and those values set to NULL in `plain`."""
    checks = " UNION ALL ".join(
        f"""SELECT rid, record_id, '{column}' AS "column", '{reason}' AS reason FROM plain
            WHERE {column} IS NOT NULL AND ({test})"""  # noqa: S608
        for column, (test, reason) in REJECTED.items()
    )
    con.execute(f"CREATE TABLE rejects AS {checks}")
    if strict:
        _stop_at_first_reject(con)
    counts = dict(con.execute('SELECT "column", count(*) FROM rejects GROUP BY 1 ORDER BY 1').fetchall())
    for column in counts:
        con.execute(
            f"""UPDATE plain SET {column} = NULL
                WHERE rid IN (SELECT rid FROM rejects WHERE "column" = '{column}')"""  # noqa: S608
        )
    return counts


def _stop_at_first_reject(con: duckdb.DuckDBPyConnection) -> None:
    first = con.execute(
        'SELECT rid, record_id, "column", reason FROM rejects ORDER BY rid, "column" LIMIT 1'
    ).fetchall()
    if first:
        rid, record_id, column, reason = first[0]
        value = con.execute(f"SELECT {column} FROM plain WHERE rid = ?", [rid]).fetchall()[0][0]  # noqa: S608
        raise InputError(f"row {rid} (record_id {record_id!r}): {column} {value!r} is {reason}")


def write_rejects(con: duckdb.DuckDBPyConnection, path: str) -> None:
    """DIR/rejects.csv: record_id, column and reason of each value set aside, in input order; never the value."""
    quoted = "'" + path.replace("'", "''") + "'"
    con.execute(
        f"""COPY (SELECT record_id, "column", reason FROM rejects ORDER BY rid, "column")
            TO {quoted} (HEADER, DELIMITER ',')"""  # noqa: S608
    )


def build_linkage_keys(con: duckdb.DuckDBPyConnection, hash_key: str) -> pa.Table:
    """One row of keys per record of `plain`, in no particular order: `rid` and each of
    linkage_keys.KEY_FIELDS (UBIGINT, or UBIGINT[] for lists).

    Features that come together are keyed together: a date of birth's five keys from one table of distinct dates,
    a postcode's three from one of distinct postcodes, a name's three (name, metaphone, neighbours) from one of
    distinct names; so each record needs one join per feature group, not one per key.
    """
    for macro in MACROS:
        con.execute(macro)
    params = linkage_keys.hmac_parameters(hash_key)
    _name_map(con)
    _features(con)
    hmac = linkage_keys.hmac_sql

    def run(sql: str) -> None:
        con.execute(sql, params if "$hmac" in sql else None)

    # A neighbour of one distinct name only can never make two different names overlap: it is left out.
    run(
        f"""CREATE TABLE near_keys AS
            WITH n AS (SELECT name, unnest(near) AS v FROM name_features),
                 shared AS (SELECT v, {hmac("'name_near'", "v")} AS h FROM n GROUP BY v HAVING count(*) > 1)
            SELECT name, list_sort(list(h)) AS near FROM n JOIN shared USING (v) GROUP BY name"""  # noqa: S608
    )
    run(
        f"""CREATE TABLE name_keys AS
            SELECT name, {hmac("'name'", "name")} AS h, {hmac("'metaphone'", "metaphone")} AS metaphone, k.near
            FROM name_features f LEFT JOIN near_keys k USING (name)"""  # noqa: S608
    )
    run(_shared("names_metaphone", "names_metaphone", "names_metaphone"))
    run(_shared("phone", "phone", "phone"))
    run(_shared("email", "email", "email"))
    run(_shared("address", "address", "address"))
    dob_parts = ", ".join(f"{hmac(repr(f), f)} AS {f}" for f in ("dob", "dob_ym", "dob_yd", "dob_md", "dob_unordered"))
    run(
        f"""CREATE TABLE dob_keys AS SELECT d, {dob_parts}
            FROM (SELECT DISTINCT d, dob, dob_ym, dob_yd, dob_md, dob_unordered FROM features WHERE d IS NOT NULL)"""  # noqa: S608
    )
    run(_shared("postcode", "postcode", "postcode"))
    for column in ("town", "county", "address_2"):
        run(_shared(column, column, column))
    run(_near("address"))
    run(_near("town"))
    for part in ("postcode_sector", "postcode_district"):
        run(
            f"""CREATE TABLE {part}_keys AS SELECT v, {hmac(repr(part), "v")} AS h
                FROM (SELECT DISTINCT {part} AS v FROM features WHERE {part} IS NOT NULL)"""  # noqa: S608
        )
    return con.sql(
        """SELECT x.rid,
                  g.h AS given, g.near AS given_near, g.metaphone AS given_metaphone,
                  f.h AS family, f.near AS family_near, f.metaphone AS family_metaphone,
                  CASE WHEN x.names_metaphone IS NOT NULL THEN coalesce(nm.h, x.rid::UBIGINT) END AS names_metaphone,
                  d.dob, d.dob_ym, d.dob_yd, d.dob_md, d.dob_unordered,
                  CASE WHEN x.phone IS NOT NULL THEN coalesce(ph.h, x.rid::UBIGINT) END AS phone,
                  CASE WHEN x.email IS NOT NULL THEN coalesce(em.h, x.rid::UBIGINT) END AS email,
                  CASE WHEN x.postcode IS NOT NULL THEN coalesce(pc.h, x.rid::UBIGINT) END AS postcode,
                  ps.h AS postcode_sector, pd.h AS postcode_district,
                  CASE WHEN x.address IS NOT NULL THEN coalesce(ad.h, x.rid::UBIGINT) END AS address,
                  an.near AS address_near,
                  CASE WHEN x.town IS NOT NULL THEN coalesce(tw.h, x.rid::UBIGINT) END AS town,
                  tn.near AS town_near,
                  CASE WHEN x.county IS NOT NULL THEN coalesce(co.h, x.rid::UBIGINT) END AS county,
                  CASE WHEN x.address_2 IS NOT NULL THEN coalesce(a2.h, x.rid::UBIGINT) END AS address_2
           FROM features x
           LEFT JOIN name_keys g ON g.name = x.given
           LEFT JOIN name_keys f ON f.name = x.family
           LEFT JOIN names_metaphone_keys nm ON nm.v = x.names_metaphone
           LEFT JOIN dob_keys d ON d.d = x.d
           LEFT JOIN phone_keys ph ON ph.v = x.phone
           LEFT JOIN email_keys em ON em.v = x.email
           LEFT JOIN postcode_keys pc ON pc.v = x.postcode
           LEFT JOIN postcode_sector_keys ps ON ps.v = x.postcode_sector
           LEFT JOIN postcode_district_keys pd ON pd.v = x.postcode_district
           LEFT JOIN address_keys ad ON ad.v = x.address
           LEFT JOIN address_near_keys an ON an.v = x.address
           LEFT JOIN town_keys tw ON tw.v = x.town
           LEFT JOIN town_near_keys tn ON tn.v = x.town
           LEFT JOIN county_keys co ON co.v = x.county
           LEFT JOIN address_2_keys a2 ON a2.v = x.address_2"""
    ).to_arrow_table()


def _near(column: str) -> str:
    """Keys of the one-edit neighbourhood (linkage_keys.one_edit_neighbourhood) of each distinct value of `column`,
    less the forms with a digit dropped: "12 albert r" and "13 albert r" are neighbours, not one person with a slip.

    Only neighbours that two distinct values share are kept: no other can make two different values overlap, and
    equal values agree at a better level anyway.
    """
    kept = "list_filter(range(1, length(v) + 1), lambda i: NOT regexp_matches(v[i], '[0-9]'))"
    neighbours = f"list_distinct(list_prepend(v, list_transform({kept}, lambda i: v[:i - 1] || v[i + 1:])))"
    return f"""CREATE TABLE {column}_near_keys AS
               WITH d AS (SELECT DISTINCT {column} AS v FROM features
                          WHERE {column} IS NOT NULL AND length({column}) >= {linkage_keys.MIN_NEAR_LENGTH}),
                    n AS (SELECT v, unnest({neighbours}) AS nb FROM d),
                    shared AS (SELECT nb, {linkage_keys.hmac_sql(repr(column + "_near"), "nb")} AS h
                               FROM n GROUP BY nb HAVING count(*) > 1)
               SELECT v, list_sort(list(h)) AS near FROM n JOIN shared USING (nb) GROUP BY v"""  # noqa: S608


def _shared(table: str, column: str, kind: str) -> str:
    """Keys of the values of `column` held by two or more records; any other value is a placeholder (see above)."""
    return f"""CREATE TABLE {table}_keys AS
               SELECT {column} AS v, {linkage_keys.hmac_sql(repr(kind), column)} AS h
               FROM features WHERE {column} IS NOT NULL GROUP BY {column} HAVING count(*) > 1"""  # noqa: S608


def _features(con: duckdb.DuckDBPyConnection) -> None:
    """Table `features`: each record's normalised plain features (NULL when blank), from SQL or Python."""
    _python_fallback(con, "phone", {"phone": normalise_phone})
    _python_fallback(con, "email", {"email": normalise_email})
    _python_fallback(con, "postcode", {"postcode": normalise_postcode, **_postcode_parts()})
    _python_fallback(con, "address", {"address": linkage_keys.address_line})
    # Addresses repeat far more than phones do (a household, a refuge): normalise each distinct one once.
    con.execute(
        f"""CREATE TEMP TABLE address_map AS
            SELECT a.raw, CASE WHEN regexp_full_match(a.raw, '{PRINTABLE_ASCII}') THEN norm_address(a.raw)
                               ELSE py.address END AS address
            FROM (SELECT DISTINCT address AS raw FROM plain WHERE address IS NOT NULL) a
            LEFT JOIN address_py py ON py.raw = a.raw"""  # noqa: S608
    )
    ascii_ = {c: f"regexp_full_match(p.{c}, '{PRINTABLE_ASCII}')" for c in ("phone", "email", "postcode")}
    con.execute(
        f"""CREATE TEMP TABLE step AS
            SELECT p.rid,
                   nullif(gm.name, '') AS given, nullif(gf.metaphone, '') AS given_metaphone,
                   nullif(fm.name, '') AS family, nullif(ff.metaphone, '') AS family_metaphone,
                   strptime(p.date_of_birth, '{DOB_FORMAT}')::DATE AS d,
                   CASE WHEN {ascii_["phone"]} THEN norm_phone(p.phone) ELSE ph.phone END AS phone,
                   CASE WHEN {ascii_["email"]} THEN norm_email(p.email) ELSE em.email END AS email,
                   CASE WHEN {ascii_["postcode"]} THEN norm_postcode(p.postcode) ELSE pc.postcode END AS postcode,
                   pc.postcode_sector AS py_sector, pc.postcode_district AS py_district,
                   ad.address, p.town, p.county, p.address_2
            FROM plain p
            LEFT JOIN name_map gm ON gm.raw = p.given_name
            LEFT JOIN name_features gf ON gf.name = gm.name
            LEFT JOIN name_map fm ON fm.raw = p.family_name
            LEFT JOIN name_features ff ON ff.name = fm.name
            LEFT JOIN phone_py ph ON ph.raw = p.phone
            LEFT JOIN email_py em ON em.raw = p.email
            LEFT JOIN postcode_py pc ON pc.raw = p.postcode
            LEFT JOIN address_map ad ON ad.raw = p.address"""  # noqa: S608
    )
    # Dates as linkage_keys.dob_features writes them; postcode parts as linkage_keys.postcode_features finds them.
    con.execute(
        """CREATE TABLE features AS
           WITH s AS (SELECT *, strftime(d, '%Y') AS y, strftime(d, '%m') AS m, strftime(d, '%d') AS dd,
                             postcode_parts(postcode) AS parts
                      FROM step)
           SELECT rid, given, given_metaphone, family, family_metaphone,
                  CASE WHEN given_metaphone IS NOT NULL AND family_metaphone IS NOT NULL
                       THEN given_metaphone || '|' || family_metaphone END AS names_metaphone,
                  d, y || '-' || m || '-' || dd AS dob, y || '-' || m AS dob_ym, y || '-' || dd AS dob_yd,
                  m || '-' || dd AS dob_md, y || '-' || least(m, dd) || '-' || greatest(m, dd) AS dob_unordered,
                  nullif(phone, '') AS phone, nullif(email, '') AS email, nullif(postcode, '') AS postcode,
                  nullif(CASE WHEN py_sector IS NULL THEN parts.district || parts.digit ELSE py_sector END, '')
                      AS postcode_sector,
                  nullif(CASE WHEN py_district IS NULL THEN parts.district ELSE py_district END, '')
                      AS postcode_district,
                  nullif(address, '') AS address,
                  plain_word(town) AS town, plain_word(county) AS county, plain_word(address_2) AS address_2
           FROM s"""
    )
    con.execute("DROP TABLE step")


def _postcode_parts() -> dict[str, Callable[[str], str]]:
    return {
        "postcode_sector": lambda raw: linkage_keys.postcode_features(raw)["postcode_sector"],
        "postcode_district": lambda raw: linkage_keys.postcode_features(raw)["postcode_district"],
    }


def _distinct(con: duckdb.DuckDBPyConnection, sql: str) -> list[str]:
    return [row[0] for row in con.execute(sql).fetchall()]


def _register(con: duckdb.DuckDBPyConnection, table: str, data: pa.Table) -> None:
    con.register(f"{table}_arrow", data)
    con.execute(f"CREATE TABLE {table} AS SELECT * FROM {table}_arrow")  # noqa: S608
    con.unregister(f"{table}_arrow")


def _name_map(con: duckdb.DuckDBPyConnection) -> None:
    """Tables `name_map` (each distinct raw name, given or family, and its normalised form) and `name_features`
    (each distinct normalised name with its metaphone code and one-edit neighbourhood), from linkage_keys' functions.

    Typing slips make most names in a large file distinct, so the costly features are computed once per distinct
    normalised name ("SMITH" and "Smith" are one).
    """
    raw = _distinct(
        con,
        """SELECT DISTINCT v FROM (SELECT given_name AS v FROM plain UNION ALL SELECT family_name FROM plain)
           WHERE v IS NOT NULL""",
    )
    normalised = [normalise_name(v) for v in raw]
    _register(con, "name_map", pa.table({"raw": pa.array(raw, pa.string()), "name": pa.array(normalised, pa.string())}))
    names = sorted({n for n in normalised if n})
    features = [linkage_keys.normalised_name_features(n) for n in names]
    data = {
        "name": pa.array(names, pa.string()),
        "metaphone": pa.array([f["metaphone"] for f in features], pa.string()),
        "near": pa.array([f["near"] for f in features], pa.list_(pa.string())),
    }
    _register(con, "name_features", pa.table(data))


def _python_fallback(con: duckdb.DuckDBPyConnection, column: str, features: dict[str, Callable[[str], str]]) -> None:
    """Table `<column>_py`: the values the SQL twins do not cover (not printable ASCII), normalised in Python."""
    raw = _distinct(
        con,
        f"""SELECT DISTINCT {column} FROM plain
            WHERE {column} IS NOT NULL AND NOT regexp_full_match({column}, '{PRINTABLE_ASCII}')""",  # noqa: S608
    )
    data = {"raw": pa.array(raw, pa.string())}
    for name, normalise in features.items():
        data[name] = pa.array([normalise(v) for v in raw], pa.string())
    _register(con, f"{column}_py", pa.table(data))
