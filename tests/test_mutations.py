"""Data mutation tests: the gate's promises (docs/gate.md, "The invariants") tested as promises.

Each operator mutates the shipped raw data (its rows, its bytes, or the way it is
served) with parameters hypothesis chooses (which season, species or column, what
fraction, what factor), and declares what the build must do, in two contexts: on
top of a good build of the shipped data, and on a fresh board. A declared stop
names the exit status and a rule (or words) the message must hold, and nothing may
be pinned; a declared build names the exact counts published. No mutation may
publish with exit 0 where it is declared to stop.

Every operator runs ``MUTATION_EXAMPLES`` examples in each context (default 1:
derandomized, so CI runs the same ones every time); more, e.g.
``MUTATION_EXAMPLES=20 uv run pytest tests/test_mutations.py``, draws more
parameters. The score (the share of operator x context pairs that behave as
declared) is this module's pass rate; it is in docs/gate.md.
"""

from __future__ import annotations

import os
import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pins
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scripts import build, config
from tests.helpers import ChangingServer, new_season, raw_rows, snapshot, write_csv

# Builds, on two boards each.
pytestmark = pytest.mark.slow

EXAMPLES = int(os.environ.get("MUTATION_EXAMPLES", "1"))
SHIPPED = raw_rows()
HEADER = list(SHIPPED[0])
SEASONS = {"PAL0708": 110, "PAL0809": 114, "PAL0910": 120}
SPECIES = {
    "Adelie Penguin (Pygoscelis adeliae)": 152,
    "Gentoo penguin (Pygoscelis papua)": 124,
    "Chinstrap penguin (Pygoscelis antarctica)": 68,
}
MEASUREMENTS = ["Culmen Length (mm)", "Culmen Depth (mm)", "Flipper Length (mm)", "Body Mass (g)"]
MASS = "Body Mass (g)"


@dataclass
class Outcome:
    """What the build must do: exit ``status``; for a stop, one of ``words`` its message holds;
    for a build, the ``counts`` it publishes (added, removed, revised after a good build;
    penguins on a fresh board) or ``None`` for the board unchanged (up to date)."""

    status: int
    words: tuple[str, ...] = ()
    counts: tuple | int | None = ()


def stop(status: int, *words: str) -> Outcome:
    return Outcome(status, words)


# A published penguin gone: the raw rows dropped (checked first) or the observations.
GONE = ('rule "row count"', 'rule "removals"')


@dataclass
class Case:
    """A mutated input: the ``sources`` to build from, and what must happen after a good
    build and on a fresh board."""

    sources: list[str]
    after: Outcome
    fresh: Outcome
    cleanup: Callable[[], None] | None = None


@dataclass
class Operator:
    name: str
    make: Callable  # (draw, folder) -> Case


def csv_case(folder: Path, rows: list[dict], after: Outcome, fresh: Outcome) -> Case:
    return Case([str(write_csv(folder / "mutated.csv", rows))], after, fresh)


def bytes_case(folder: Path, data: bytes, after: Outcome, fresh: Outcome, name: str = "mutated.csv") -> Case:
    path = folder / name
    path.write_bytes(data)
    return Case([str(path)], after, fresh)


def shipped_bytes() -> bytes:
    return Path(config.default_source()).read_bytes()


def with_number(row: dict, column: str, change) -> dict:
    if row[column] == "NA":
        return row
    value = change(float(row[column]))
    decimals = 0 if column in ("Flipper Length (mm)", MASS) else 1
    return {**row, column: str(round(value)) if decimals == 0 else f"{value:.1f}"}


# ---------------------------------------------------------------- across builds: published penguins persist


def drop_season(draw, folder):
    season = draw(st.sampled_from(sorted(SEASONS)))
    rows = [r for r in SHIPPED if r["studyName"] != season]
    return csv_case(folder, rows, stop(2, *GONE), Outcome(0, counts=344 - SEASONS[season]))


def drop_species(draw, folder):
    species = draw(st.sampled_from(sorted(SPECIES)))
    rows = [r for r in SHIPPED if r["Species"] != species]
    return csv_case(folder, rows, stop(2, *GONE), Outcome(0, counts=344 - SPECIES[species]))


def drop_a_season_add_a_new_one(draw, folder):
    season = draw(st.sampled_from(["PAL0708", "PAL0809"]))
    rows = [r for r in new_season(SHIPPED) if r["studyName"] != season]
    return csv_case(folder, rows, stop(2, 'rule "removals"'), Outcome(0, counts=464 - SEASONS[season]))


def renumber_keys(draw, folder):
    offset = draw(st.integers(1000, 90000))
    rows = [{**r, "Sample Number": str(int(r["Sample Number"]) + offset)} for r in SHIPPED]
    return csv_case(folder, rows, stop(2, 'rule "removals"'), Outcome(0, counts=344))


def move_a_season_to_another_study(draw, folder):
    season = draw(st.sampled_from(sorted(SEASONS)))
    study = draw(st.sampled_from(["PAL0607", "PAL1112", "PALX"]))
    rows = [{**r, "studyName": study} if r["studyName"] == season else r for r in SHIPPED]
    return csv_case(folder, rows, stop(2, 'rule "removals"'), Outcome(0, counts=344))


def relabel_an_island(draw, folder):
    island = draw(st.sampled_from(["Biscoe", "Dream", "Torgersen"]))
    other = draw(st.sampled_from([i for i in ("Biscoe", "Dream", "Torgersen") if i != island]))
    adelie = "Adelie Penguin (Pygoscelis adeliae)"
    rows = [{**r, "Island": other} if r["Species"] == adelie and r["Island"] == island else r for r in SHIPPED]
    return csv_case(folder, rows, stop(2, 'rule "revisions", column "island'), Outcome(0, counts=344))


def relabel_sex_of_a_species(draw, folder):
    species = draw(st.sampled_from(sorted(SPECIES)))
    other = {"MALE": "FEMALE", "FEMALE": "MALE"}
    rows = [{**r, "Sex": other.get(r["Sex"], r["Sex"])} if r["Species"] == species else r for r in SHIPPED]
    return csv_case(folder, rows, stop(2, 'rule "revisions", column "sex'), Outcome(0, counts=344))


def scale_a_species_within_range(draw, folder):
    species = draw(st.sampled_from(sorted(SPECIES)))
    column = draw(st.sampled_from(MEASUREMENTS))
    factor = draw(st.floats(1.04, 1.08))
    rows = [with_number(r, column, lambda v: v * factor) if r["Species"] == species else r for r in SHIPPED]
    return csv_case(folder, rows, stop(2, 'rule "revisions"'), Outcome(0, counts=344))


def shuffle_a_column_within_a_species(draw, folder):
    species = draw(st.sampled_from(sorted(SPECIES)))
    column = draw(st.sampled_from(MEASUREMENTS))
    seed = draw(st.integers(0, 10_000))
    picked = [i for i, r in enumerate(SHIPPED) if r["Species"] == species]
    values = [SHIPPED[i][column] for i in picked]
    random.Random(seed).shuffle(values)
    rows = [dict(r) for r in SHIPPED]
    for i, value in zip(picked, values, strict=True):
        rows[i][column] = value
    return csv_case(folder, rows, stop(2, 'rule "revisions"'), Outcome(0, counts=344))


def reweigh_a_few(draw, folder):
    how_many = draw(st.integers(1, 5))
    grams = draw(st.integers(25, 200))
    weighed = [i for i, r in enumerate(SHIPPED) if r[MASS] != "NA"][:: 344 // how_many][:how_many]
    rows = [dict(r) for r in SHIPPED]
    for i in weighed:
        rows[i][MASS] = str(int(rows[i][MASS]) + grams)
    return csv_case(folder, rows, Outcome(0, counts=(0, 0, how_many)), Outcome(0, counts=344))


# ---------------------------------------------------------------- one bird, one observation


def copy_a_season_under_another_study(draw, folder):
    season = draw(st.sampled_from(sorted(SEASONS)))
    study = draw(st.sampled_from(["PAL1011", "PAL0910B", "PALCOPY"]))
    copies = [{**r, "studyName": study} for r in SHIPPED if r["studyName"] == season]
    rows = [*SHIPPED, *copies]
    return csv_case(folder, rows, stop(2, 'rule "same bird"'), stop(2, 'rule "same bird"'))


def duplicate_rows_under_new_keys(draw, folder):
    share = draw(st.floats(0.005, 0.3))
    picked = SHIPPED[:: max(1, round(1 / share))]
    copies = [{**r, "Sample Number": str(1000 + n)} for n, r in enumerate(picked)]
    return csv_case(folder, [*SHIPPED, *copies], stop(2, 'rule "same bird"'), stop(2, 'rule "same bird"'))


def repeat_a_row(draw, folder):
    row = draw(st.sampled_from(SHIPPED))
    rows = [*SHIPPED, dict(row)]
    words = 'rule "duplicate observation"'
    return csv_case(folder, rows, stop(2, words), stop(2, words))


# ---------------------------------------------------------------- added data looks like data


def season_with(change) -> list[dict]:
    added = new_season(SHIPPED)[len(SHIPPED) :]
    return [*SHIPPED, *(change(dict(r)) for r in added)]


def a_genuine_new_season(draw, folder):
    study = draw(st.sampled_from(["PAL1011", "PAL1112", "NEW2010"]))
    grams = draw(st.integers(-50, 50))
    added = new_season(SHIPPED, study=study)[len(SHIPPED) :]
    rows = [*SHIPPED, *(with_number(r, MASS, lambda v: v - 25 + grams) for r in added)]
    return csv_case(folder, rows, Outcome(0, counts=(120, 0, 0)), Outcome(0, counts=464))


def set_a_measurement_constant(draw, folder):
    column = draw(st.sampled_from(MEASUREMENTS))
    value = {"Culmen Length (mm)": "44.0", "Culmen Depth (mm)": "17.0", "Flipper Length (mm)": "200", MASS: "4100"}
    rows = season_with(lambda r: {**r, column: value[column]} if r[column] != "NA" else r)
    return csv_case(folder, rows, stop(2, 'rule "spread"'), Outcome(0, counts=464))


def impute_group_means(draw, folder):
    column = draw(st.sampled_from(MEASUREMENTS))
    groups: dict = {}
    for r in SHIPPED:
        if r[column] != "NA":
            groups.setdefault((r["Species"], r["Sex"]), []).append(float(r[column]))
    means = {group: sum(v) / len(v) for group, v in groups.items()}

    def imputed(r):
        return with_number(r, column, lambda v: means[(r["Species"], r["Sex"])])

    return csv_case(folder, season_with(imputed), stop(2, 'rule "spread"'), Outcome(0, counts=464))


def round_a_measurement_coarsely(draw, folder):
    column, step = draw(st.sampled_from([("Flipper Length (mm)", 10), (MASS, 500)]))
    rows = season_with(lambda r: with_number(r, column, lambda v: round(v / step) * step))
    return csv_case(folder, rows, stop(2, 'rule "repeated values"'), Outcome(0, counts=464))


# ---------------------------------------------------------------- values and columns


def swap_two_columns_of_one_unit(draw, folder):
    first, second = draw(st.sampled_from([MEASUREMENTS[:2], MEASUREMENTS[1:3], [MEASUREMENTS[0], MEASUREMENTS[2]]]))
    rows = [{**r, first: r[second], second: r[first]} for r in SHIPPED]
    return csv_case(folder, rows, stop(2, 'rule "range"'), stop(2, 'rule "range"'))


def a_value_out_of_range(draw, folder):
    at = draw(st.integers(0, 343))
    column = draw(st.sampled_from(MEASUREMENTS))
    rows = [dict(r) for r in SHIPPED]
    rows[at][column] = "99999"
    words = f'rule "range", column "{column}"'
    return csv_case(folder, rows, stop(2, words), stop(2, words))


def an_unknown_island(draw, folder):
    at = draw(st.integers(0, 343))
    name = draw(st.sampled_from(["Atlantis", "Dream Island", "Torgersen Is."]))
    rows = [dict(r) for r in SHIPPED]
    rows[at]["Island"] = name
    words = 'rule "category", column "Island"'
    return csv_case(folder, rows, stop(2, words), stop(2, words))


def a_look_alike_character(draw, folder):
    at = draw(st.integers(0, 343))
    rows = [dict(r) for r in SHIPPED]
    swaps = {"A": "\u0410", "a": "\u0430", "o": "\u03bf", "e": "\u0435"}
    letter = draw(st.sampled_from([c for c in swaps if c in rows[at]["Species"]]))
    rows[at]["Species"] = rows[at]["Species"].replace(letter, swaps[letter], 1)
    words = "but contains U+0"
    return csv_case(folder, rows, stop(2, words), stop(2, words))


def a_required_column_dropped(draw, folder):
    column = draw(st.sampled_from([*MEASUREMENTS, "Species", "Island", "Sample Number"]))
    rows = [{k: v for k, v in r.items() if k != column} for r in SHIPPED]
    words = f'rule "required column", column "{column}"'
    return csv_case(folder, rows, stop(2, words), stop(2, words))


def a_no_break_space_in_a_header(draw, folder):
    column = draw(st.sampled_from([c for c in HEADER if " " in c and c in (*MEASUREMENTS, "Sample Number")]))
    data = shipped_bytes()
    header, rest = data.split(b"\n", 1)
    header = header.replace(column.encode(), column.replace(" ", "\u00a0", 1).encode("utf-8"))
    words = "U+00A0 NO-BREAK SPACE"
    return bytes_case(folder, header + b"\n" + rest, stop(2, words), stop(2, words))


def only_the_header(draw, folder):
    keep_blank = draw(st.booleans())
    data = shipped_bytes().split(b"\n", 1)[0] + (b"\n\n" if keep_blank else b"\n")
    words = 'rule "not empty"'
    return bytes_case(folder, data, stop(2, words), stop(2, words))


# ---------------------------------------------------------------- bytes: no traceback, file and line


def lines() -> list[bytes]:
    return shipped_bytes().split(b"\n")


def truncate_mid_line(draw, folder):
    at = draw(st.integers(2, 340))
    field = draw(st.integers(3, 12))
    text = lines()
    cut = text[at].split(b",")
    data = b"\n".join(text[:at]) + b"\n" + b",".join(cut[:field]) + b","[: draw(st.integers(0, 1))]
    # a cut inside "Adult, 1 Egg Stage" leaves a quote open
    words = (f"line {at + 1} has", f"line {at + 1} opens a quoted value that never ends")
    return bytes_case(folder, data, stop(3, *words), stop(3, *words))


def another_encoding(draw, folder):
    encoding = draw(st.sampled_from(["utf-16", "latin-1", "cp1252"]))
    text = shipped_bytes().decode("utf-8").replace("Nest never observed", "Nid observé", 1)
    words = "not UTF-8"
    return bytes_case(folder, text.encode(encoding), stop(3, words), stop(3, words))


def mixed_line_endings(draw, folder):
    at = draw(st.integers(1, 340))
    text = lines()
    text[at] = text[at] + b"\r"
    words = "mixes line endings"
    return bytes_case(folder, b"\n".join(text), stop(3, words), stop(3, words))


def a_field_too_many(draw, folder):
    at = draw(st.integers(1, 340))
    extra = draw(st.sampled_from([b"NA", b"", b".", b"x", b'""']))
    text = lines()
    text[at] = text[at] + b"," + extra
    words = f"line {at + 1} has 18 fields where the header has 17"
    return bytes_case(folder, b"\n".join(text), stop(3, words), stop(3, words))


def a_gzip_cut_short(draw, folder):
    import gzip

    packed = gzip.compress(shipped_bytes())
    keep = draw(st.integers(100, len(packed) - 20))
    words = "mutated.csv.gz"
    return bytes_case(folder, packed[:keep], stop(3, words), stop(3, words), name="mutated.csv.gz")


# ---------------------------------------------------------------- sources: what is hashed is what is read


def species_files(folder: Path) -> list[str]:
    return [
        str(write_csv(folder / f"part-{n}.csv", [r for r in SHIPPED if r["Species"] == species]))
        for n, species in enumerate(sorted(SPECIES))
    ]


def a_hole_in_the_source_list(draw, folder):
    parts = species_files(folder)
    hole = draw(st.integers(0, len(parts)))
    words = f"item {hole + 1} of {len(parts) + 1} is empty"
    return Case([*parts[:hole], "", *parts[hole:]], stop(1, words), stop(1, words))


def a_source_listed_twice(draw, folder):
    parts = species_files(folder)
    twice = draw(st.integers(0, len(parts) - 1))
    words = "more than once (items"
    return Case([*parts, parts[twice]], stop(1, words), stop(1, words))


def a_changing_http_body(draw, folder):
    full = shipped_bytes()
    cut_at = draw(st.integers(10, 300))
    cut = b"\n".join(lines()[:cut_at]) + b"\n"
    server = ChangingServer("table.csv", [full, cut])
    # read once: the shipped bytes, which the good build already holds (up to date)
    return Case([server.url], Outcome(0, counts=None), Outcome(0, counts=344), cleanup=server.close)


def a_short_http_body(draw, folder):
    full = shipped_bytes()
    keep = draw(st.integers(1000, len(full) - 1))
    server = ChangingServer("table.csv", [full[:keep]], announce=len(full))
    words = "the transfer ended after"
    return Case([server.url], stop(3, words), stop(3, words), cleanup=server.close)


OPERATORS = [
    Operator(f.__name__.replace("_", " "), f)
    for f in (
        drop_season,
        drop_species,
        drop_a_season_add_a_new_one,
        renumber_keys,
        move_a_season_to_another_study,
        relabel_an_island,
        relabel_sex_of_a_species,
        scale_a_species_within_range,
        shuffle_a_column_within_a_species,
        reweigh_a_few,
        copy_a_season_under_another_study,
        duplicate_rows_under_new_keys,
        repeat_a_row,
        a_genuine_new_season,
        set_a_measurement_constant,
        impute_group_means,
        round_a_measurement_coarsely,
        swap_two_columns_of_one_unit,
        a_value_out_of_range,
        an_unknown_island,
        a_look_alike_character,
        a_required_column_dropped,
        a_no_break_space_in_a_header,
        only_the_header,
        truncate_mid_line,
        another_encoding,
        mixed_line_endings,
        a_field_too_many,
        a_gzip_cut_short,
        a_hole_in_the_source_list,
        a_source_listed_twice,
        a_changing_http_body,
        a_short_http_body,
    )
]


def history(board: Path):
    return pins.board_folder(str(board)).pin_read("build_history")


@pytest.mark.parametrize("context", ["after a good build", "on a fresh board"])
@pytest.mark.parametrize("operator", OPERATORS, ids=[o.name for o in OPERATORS])
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@given(data=st.data())
def test_a_mutation_behaves_as_declared(built_board, tmp_path_factory, capsys, operator, context, data):
    folder = tmp_path_factory.mktemp("mutation")
    board = folder / "board"
    after = context == "after a good build"
    if after:
        shutil.copytree(built_board, board)
    case = operator.make(data.draw, folder)
    declared = case.after if after else case.fresh
    before = snapshot(board) if board.exists() else {}
    capsys.readouterr()
    try:
        status = build.main(["--source", ",".join(case.sources), "--board", str(board)])
    finally:
        if case.cleanup:
            case.cleanup()
    err = capsys.readouterr().err

    assert "Traceback" not in err
    assert status == declared.status, err
    if declared.status:
        assert any(words in err for words in declared.words), err
        assert (snapshot(board) if board.exists() else {}) == before  # nothing pinned, nothing half-written
    elif declared.counts is None:
        assert snapshot(board) == before  # up to date
    elif after:
        last = history(board).iloc[-1]
        assert (last["added"], last["removed"], last["revised"]) == declared.counts
    else:
        assert history(board).iloc[-1]["penguins"] == declared.counts
