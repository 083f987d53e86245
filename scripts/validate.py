"""Validate: the publish gate, as SQL over the raw source.

Every rule is checked before anything is written. One pass over
``raw_observations`` counts the rows with each distinct value of each column in
``raw_columns()`` (``profile_sql``); every rule is then counted over those few
values, and the engine screens the observation keys for repeats
(``Engine.keys_may_repeat``). A required column must be in every source file, not
just in their union (``_missing_from_some_files``). Examples are looked up only for the rules that fail.
A failure raises ``GateError``, which names the rule, the column, how many rows
and a few examples.
"""

from __future__ import annotations

from scripts.dataset import BIRD_KEY, KEY_SQL, OBSERVATION_KEY, RawColumn, raw_columns
from scripts.engines import NUMBERED_VIEW, RAW_VIEW, ROW_IN_FILE, SOURCE_FILE
from scripts.errors import GateError, Violation
from scripts.ingest import place, short_name
from scripts.sql import identifier, literal
from scripts.text import looks_like, quoted, words

EXAMPLES = 3
# A date as the LTER writes it (a time after it is allowed; DuckDB drops it).
ISO_DATE = r"^\s*[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([ T].*)?\s*$"


def parsed(column: RawColumn) -> str:
    """SQL for the column's value parsed to its type (NULL when it does not parse)."""
    sql_type = {"integer": "DOUBLE", "number": "DOUBLE", "date": "DATE"}[column.kind]
    return f"TRY_CAST({identifier(column.name)} AS {sql_type})"


def misshapen(column: RawColumn) -> str:
    r"""SQL that is true for a value without the column's identifier shape (``dataset.Identifier``).

    One anchored regular expression, spaces around the value allowed (the tidy table
    trims them). It ends in ``\z``, which RE2 (DuckDB) and Java (Spark's ``RLIKE``)
    both read as the end of the text: Java's ``$`` would also match before a final
    line break.
    """
    shape = column.shape
    pattern = f"^ *[{shape.first}][{shape.chars}]{{0,{shape.max_length - 1}}} *\\z"
    name = identifier(column.name)
    return f"{name} IS NOT NULL AND NOT regexp_matches(CAST({name} AS VARCHAR), {literal(pattern)})"


def _literal(value, kind: str) -> str:
    if kind == "date":
        return "current_date" if value == "today" else f"DATE '{value}'"
    return repr(value)


def rule_conditions(present: set[str]) -> list[tuple[str, RawColumn, str, str]]:
    """Every row-level rule as ``(rule, column, failing-row SQL, what it means)``."""
    rules = []
    for col in raw_columns():
        if col.name not in present:
            continue
        raw = identifier(col.name)
        if col.not_null:
            rules.append(("missing value", col, f"{raw} IS NULL", "with no value"))
        if col.kind in ("integer", "number", "date"):
            value = parsed(col)
            bad_type = f"{raw} IS NOT NULL AND {value} IS NULL"
            if col.kind == "integer":
                bad_type = f"({bad_type}) OR {value} <> round({value})"
            if col.kind == "date":
                # DuckDB also reads '11/11/07' (as the year 11): only YYYY-MM-DD is a date here.
                bad_type = f"({bad_type}) OR NOT regexp_matches(CAST({raw} AS VARCHAR), '{ISO_DATE}')"
            rules.append(("type", col, bad_type, f"not readable as {_kind_words(col.kind)}"))
            if col.low is not None:
                low, high = _literal(col.low, col.kind), _literal(col.high, col.kind)
                unit = f" {col.unit}" if col.unit else ""
                rules.append(
                    (
                        "range",
                        col,
                        # a value already counted as the wrong type is not counted again
                        f"{value} IS NOT NULL AND NOT ({bad_type}) AND NOT ({value} BETWEEN {low} AND {high})",
                        f"outside the plausible range {col.low} to {col.high}{unit}",
                    )
                )
        if col.shape is not None:
            rules.append(("identifier", col, misshapen(col), f"not shaped like an identifier ({col.shape.meaning})"))
        if col.allowed:
            text = f"trim(CAST({raw} AS VARCHAR))"
            allowed = ", ".join(literal(a) for a in col.allowed)
            rules.append(
                (
                    "category",
                    col,
                    f"{raw} IS NOT NULL AND {text} NOT IN ({allowed})",
                    "with an unknown value (known: " + ", ".join(col.allowed) + ")",
                )
            )
    return rules


def _kind_words(kind: str) -> str:
    return {"integer": "whole numbers", "number": "numbers", "date": "dates (YYYY-MM-DD)"}[kind]


def check(engine, relation: str = RAW_VIEW) -> dict[str, int]:
    """Run the gate over ``relation`` on ``engine`` (``scripts/engines``); raise ``GateError``
    listing every failure.

    Returns the row count and the number of missing measurement values on success.
    """
    present = set(engine.columns(relation))
    known = raw_columns()
    missing = [c for c in known if c.required and c.name not in present]
    if missing:
        found = sorted(present - {SOURCE_FILE})
        if _looks_tidy(present):
            raise GateError([Violation("raw layout", "*", None, TIDY_INSTEAD)])
        raise GateError([Violation("required column", c.name, None, _missing_column(c.name, found)) for c in missing])

    violations = _missing_from_some_files(engine.file_columns()) if relation == RAW_VIEW else []
    checked = [c for c in known if c.name in present]
    engine.keep("gate_profile", profile_sql(checked, relation))
    rules = rule_conditions(present)
    measurements = [c for c in known if c.measurement]
    in_set = "__column = {}".format
    selects = [f"sum(__rows) FILTER ({in_set(literal(checked[0].name))})"]
    selects += [f"sum(__rows) FILTER ({in_set(literal(col.name))} AND ({cond}))" for _, col, cond, _ in rules]
    selects += [
        f"sum(__rows) FILTER ({in_set(literal(c.name))} AND {identifier(c.name)} IS NOT NULL)" for c in measurements
    ]
    counts = [int(n or 0) for n in engine.rows(f"SELECT {', '.join(selects)} FROM gate_profile")[0]]
    total, rule_counts, non_null = counts[0], counts[1 : 1 + len(rules)], counts[1 + len(rules) :]

    if total == 0:
        raise GateError([Violation("not empty", "*", 0, "— the source has no observations")])

    for (rule, col, cond, meaning), count in zip(rules, rule_counts, strict=True):
        if count:
            examples = _examples(engine, relation, col.name, cond, known=col.allowed)
            violations.append(Violation(rule, col.name, count, meaning, examples))
    for col, count in zip(measurements, non_null, strict=True):
        if count == 0:
            violations.append(
                Violation("all missing", col.name, total, "with no value: this measurement is missing in every row")
            )
    if engine.keys_may_repeat(relation, KEY_SQL, dense=True):  # the sample number last
        violations += _duplicates(engine, relation)
    bird = identifier(BIRD_KEY[0])
    if BIRD_KEY[0] in present and engine.keys_may_repeat(relation, _bird_key_sql(), where=f"{bird} IS NOT NULL"):
        violations += _same_bird(engine, relation)
    if violations:
        raise GateError(violations)
    return {"rows": total, "missing measurements": sum(total - n for n in non_null)}


TIDY_INSTEAD = (
    "— this is the tidy table (palmerpenguins' penguins.csv: species, island, bill_length_mm, …), not the "
    "raw observations: the build reads the raw LTER layout, as in penguins-raw.csv ('studyName', 'Species', "
    "'Culmen Length (mm)', …), and makes the tidy table itself"
)


def _looks_tidy(present: set[str]) -> bool:
    """Whether the source holds most columns of the tidy table the build publishes (``clean.published_columns``).

    >>> _looks_tidy({"species", "island", "bill_length_mm", "bill_depth_mm", "flipper_length_mm", "sex", "year"})
    True
    >>> _looks_tidy({"Species", "Island", "sex"})
    False
    """
    from scripts.clean import published_columns

    tidy = set(published_columns())
    return len(tidy & present) >= len(tidy) - 2


def _missing_column(name: str, found: list[str]) -> str:
    """What the message says of a required column the source lacks: what it has instead,
    with a name that differs only by characters that are not ASCII shown escaped."""
    twins = [f for f in found if looks_like(f.strip(), [name])]
    if twins:
        return "is missing from the source: its header has " + words(quoted(f, known=[name]) for f in twins)
    return "is missing from the source (found: " + ", ".join(found) + ")"


def row_drop_measure(rows: int, previous_rows: int | None, max_drop: float) -> list[dict]:
    """What rule ``row count`` measures: the share of the last build's raw rows that went.

    >>> row_drop_measure(330, 344, 0.2)
    [{'rule': 'row count', 'measured': 0.0407, 'shown': '4.1% fewer rows', 'limit': 'at most 20%', 'passed': True}]
    >>> row_drop_measure(344, None, 0.2)
    []
    """
    from scripts.errors import measure

    if not previous_rows:
        return []
    drop = max(0.0, 1 - rows / previous_rows)
    shown = f"{drop:.1%} fewer rows" if drop else "no fewer rows"
    return [measure("row count", round(drop, 4), shown, f"at most {max_drop:.0%}", drop <= max_drop)]


def check_row_drop(rows: int, previous_rows: int | None, max_drop: float) -> None:
    """Stop when the raw data lost more than ``max_drop`` of the rows the last build read.

    Every row may be valid and still half the penguins gone: a truncated
    download, or one species' file left out. ``REPORT_MAX_ROW_DROP`` sets the
    share (``scripts/config.py``); 1 lets a deliberate change through.
    """
    if not previous_rows or rows >= previous_rows * (1 - max_drop):
        return
    drop = 1 - rows / previous_rows
    share = "over 99%" if drop > 0.99 else f"{drop:.0%}"
    raise GateError(
        [
            Violation(
                "row count",
                "*",
                rows,
                f"in the raw data, {share} fewer than the {previous_rows:,} the last build read "
                f"(at most {max_drop:.0%} may go, REPORT_MAX_ROW_DROP); if that is intended, "
                "run the build once with REPORT_MAX_ROW_DROP=1",
            )
        ]
    )


def _missing_from_some_files(files: dict[str, set[str]]) -> list[Violation]:
    """A required column that one source file lacks (the union fills it with NULLs);
    ``files``: each file's own columns (``Engine.file_columns``).

    Upstream publishes a file per species, so this is how a whole species would
    silently lose a measurement.
    """
    violations = []
    for col in raw_columns():
        lacking = [location for location, names in files.items() if col.required and col.name not in names]
        if lacking and len(lacking) < len(files):
            shown = ", ".join(short_name(location) for location in lacking)
            violations.append(
                Violation(
                    "required column",
                    col.name,
                    None,
                    f"is missing from {shown} ({len(lacking)} of {len(files)} source files)",
                )
            )
    return violations


def profile_sql(columns: list[RawColumn], relation: str = RAW_VIEW) -> str:
    """One pass that counts the rows with each distinct value of each checked column.

    One grouping set per column, so ``__column`` names the column a row counts
    and the other columns read NULL there. Every row-level rule depends on one
    column's value only, so counting the rows that fail it over these few
    distinct values equals counting them over every row, at a fraction of the
    cost. A column checked only for missing values is profiled as present or
    not, so a column of free text never makes the table large.
    """

    def value(col: RawColumn) -> str:
        if col.shape is not None and col.shape.few:
            return f"CAST({identifier(col.name)} AS VARCHAR) AS {identifier(col.name)}"  # a handful: by value
        if col.shape is not None:  # the misshapen values as they are, every other one as the shape's example
            name = identifier(col.name)
            return (
                f"CASE WHEN {misshapen(col)} THEN CAST({name} AS VARCHAR) "
                f"WHEN {name} IS NOT NULL THEN {literal(col.shape.example)} END AS {name}"
            )
        if col.kind == "text" and not col.allowed:
            return f"CASE WHEN {identifier(col.name)} IS NOT NULL THEN true END AS {identifier(col.name)}"
        return identifier(col.name)

    names = [identifier(c.name) for c in columns]
    which = " ".join(f"WHEN grouping({n}) = 0 THEN {literal(c.name)}" for c, n in zip(columns, names, strict=True))
    return (
        f"SELECT {', '.join(names)}, CASE {which} END AS __column, count(*) AS __rows\n"
        f"FROM (SELECT {', '.join(value(c) for c in columns)} FROM {relation})\n"
        f"GROUP BY GROUPING SETS ({', '.join(f'({n})' for n in names)})"
    )


def _numbered(relation: str) -> str:
    """The relation with each row's data row in its file (``ROW_IN_FILE``), in file order."""
    if relation == RAW_VIEW:
        return NUMBERED_VIEW
    return f"(SELECT *, row_number() OVER () AS {ROW_IN_FILE} FROM {relation})"


def _examples(engine, relation: str, column: str, condition: str, known=()) -> list[str]:
    """The first few failing rows as ``'value' in file row N``; row N counts data rows from 1."""
    rows = engine.rows(
        f"""
        SELECT CAST({identifier(column)} AS VARCHAR), {SOURCE_FILE}, {ROW_IN_FILE}
        FROM {_numbered(relation)}
        WHERE {condition}
        ORDER BY {SOURCE_FILE}, {ROW_IN_FILE}
        LIMIT {EXAMPLES}
        """
    )
    return [_where(value, source, row, known) for value, source, row in rows]


def _where(value, source: str, row: int, known=()) -> str:
    return f"{'empty' if value is None else quoted(value, known=known)} in {place(str(source), [row])}"


def _duplicates(engine, relation: str) -> list[Violation]:
    """Rows that repeat another row's observation key, with where each one is.

    Runs only when the engine's screen (``Engine.keys_may_repeat``) found a suspect;
    keys are compared exactly, as cleaned (``dataset.KEY_SQL``), and the examples
    name the rows of every copy.
    """
    found = engine.repeated_keys(_numbered(relation), KEY_SQL, EXAMPLES)
    if not found.rows:
        return []
    return [
        Violation(
            "duplicate observation",
            " + ".join(OBSERVATION_KEY),
            found.rows,
            "sharing their study, species and sample number with another row",
            [f"{quoted(e['label'])} in {_places(e['places'], e['n'])}" for e in found.examples],
        )
    ]


def _bird_key_sql() -> tuple[str, str, str]:
    """``BIRD_KEY`` as the tidy table would compare it: text trimmed, the date as a date."""
    bird, species, egg = (identifier(name) for name in BIRD_KEY)
    return f"trim(CAST({bird} AS VARCHAR))", f"trim(CAST({species} AS VARCHAR))", f"TRY_CAST({egg} AS DATE)"


def _same_bird(engine, relation: str) -> list[Violation]:
    """Rows of one bird on one day (``BIRD_KEY``) under two observation keys: a season
    filed twice under two study names, rows copied under new sample numbers.

    The LTER re-visits nests season after season, so one individual ID comes back
    every year, with another egg date and new measurements; on one day it is one
    observation. Compared as the tidy table would have them (text trimmed, the date
    as a date); rows without an individual ID are not compared.
    """
    b0, b1, b2 = _bird_key_sql()
    keyed = (
        f"SELECT {b0} AS b0, {b1} AS b1, {b2} AS b2, {SOURCE_FILE} AS file, {ROW_IN_FILE} AS row_in_file, "
        f"concat_ws(' ', {KEY_SQL[0]}, CAST({identifier(OBSERVATION_KEY[2])} AS VARCHAR)) AS filed_as "
        f"FROM {_numbered(relation)} WHERE {identifier(BIRD_KEY[0])} IS NOT NULL"
    )
    # rows that share their observation key too are the "duplicate observation" rule's
    groups = f"SELECT b0, b1, b2, count(*) AS n FROM ({keyed}) GROUP BY b0, b1, b2 HAVING count(DISTINCT filed_as) > 1"
    ((total,),) = engine.rows(f"SELECT coalesce(sum(n), 0) FROM ({groups})")
    if not total:
        return []
    first = engine.rows(f"SELECT b0, b1, b2 FROM ({groups}) ORDER BY b0, b1, b2 LIMIT {EXAMPLES}")
    examples = []
    for b0, b1, b2 in first:
        rows = engine.rows(
            f"SELECT filed_as, file, row_in_file FROM ({keyed}) "
            f"WHERE b0 = {literal(b0)} AND b1 = {literal(b1)} AND b2 = DATE {literal(str(b2))} "
            "ORDER BY file, row_in_file"
        )
        where = words(f"as {filed} in {place(str(file), [row])}" for filed, file, row in rows[:EXAMPLES])
        examples.append(f"{quoted(f'{b0} / {b1} / {b2}', limit=100)} {where}")
    return [
        Violation(
            "same bird",
            " + ".join(BIRD_KEY),
            int(total),
            "observe one bird on one day under more than one study and sample number (a season filed twice, "
            "or rows copied under new keys?): keep one observation of each",
            examples,
        )
    ]


def _places(places: list[list[str]], rows: int) -> str:
    """Where the rows are, by file: ``dup.csv rows 5 and 345``, ``a.csv row 5, b.csv row 3``.

    >>> _places([["a.csv", "5"], ["a.csv", "9"], ["b.csv", "3"]], 5)
    'a.csv rows 5 and 9, b.csv row 3, 2 more'
    """
    by_file: dict[str, list[str]] = {}
    for source, row in places:
        by_file.setdefault(source, []).append(row)
    parts = [place(source, numbers) for source, numbers in by_file.items()]
    if rows > len(places):
        parts.append(f"{rows - len(places):,} more")
    return ", ".join(parts)
