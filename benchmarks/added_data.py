"""Benchmark (not a test): the added-data rules' statistics on genuine and on made-up new seasons.

    uv run python -m benchmarks.added_data                 # 20 split and 300 resampled seasons
    uv run python -m benchmarks.added_data --splits 50 --seasons 1000

The thresholds of ``scripts/added_data.py`` (``REPORT_MAX_SPREAD_RATIO``,
``REPORT_MAX_REPEATED``, ``REPORT_MAX_KS``, ``REPORT_MAX_ERROR_RATIO``,
``REPORT_MIN_ERROR_RATIO``) must let every genuine new season build and stop
made-up ones. This measures, with the build's own functions:

- **real seasons**: the shipped data has three breeding seasons; a board is built
  from two of them and the third is the new season (three ways);
- **split seasons** (genuine): the shipped penguins shuffled and split, 224
  published (a board is built from them) and 120 as the new season, which the
  model never saw; ``--splits`` times, each with its own board;
- **resampled seasons** (harsher than genuine): a board built from one half of the
  shipped penguins; each new season is 120 penguins drawn with replacement from
  the other half, so a bird can come twice (its values repeat, spreads shrink);
- **made-up seasons**, on top of the same half: body mass one constant, body mass
  imputed as the group mean, the published half copied as a new season (its model
  has seen every row), flipper length rounded to 10 mm, body mass drawn uniformly
  within each group's published range, body mass in another unit (x 1.15).

For each it prints the extremes over the species x sex x measurement groups: the
smallest and largest variance ratio, the smallest F-test p of a variance ratio,
the largest share of one repeated value, the largest KS distance among the
significant ones (p < ``ALPHA``), and the last model's RMSE on the new season
against its own test RMSE; and, for the split and the resampled seasons, the
quantiles of each over all seasons. The rules that would stop the
build at the default thresholds are listed per scenario.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.cli import positive  # noqa: E402 - after the path is set

SEASON = 120


def raw_rows() -> list[dict[str, str]]:
    from scripts import config

    with open(config.default_source(), newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write(path: Path, rows: list[dict[str, str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def tidy(path: Path):
    """The tidy table of a raw CSV, as the build's clean step writes it."""
    import pandas as pd

    from scripts import clean
    from scripts.engines.duckdb import DuckDBEngine

    engine = DuckDBEngine()
    engine.register_raw([str(path)])
    out = path.with_suffix(".parquet")
    clean.clean(engine, out)
    engine.close()
    return pd.read_parquet(out)


def long(frame):
    """Long values (species, sex, measurement, value) of penguins with a sex."""
    from scripts import dataset

    measurements = dataset.measurement_names()
    rows = frame[frame["sex"].notna()]
    return rows.melt(["species", "sex"], measurements, "measurement", "value").dropna(subset=["value"])


class Reference:
    """A board built from ``rows``: its tidy table, its model and that model's test RMSE."""

    def __init__(self, rows: list[dict[str, str]], folder: Path):
        from scripts import board as boards
        from scripts import board_read, build
        from scripts import reference as references

        board = folder / "board"
        build.run([str(write(folder / "published.csv", rows))], str(board))
        target = boards.open_board(str(board))
        self.reference = references.read_reference(target, board_read.read_manifest(target))
        self.published = long(tidy(folder / "published.csv"))
        metrics = self.reference.tables["model_test_metrics"]
        self.test_rmse = float(metrics[metrics["chosen"]].iloc[0]["rmse"])

    def measure(self, added_raw: list[dict[str, str]], folder: Path, name: str) -> dict:
        from scripts import added_data, compare, dataset
        from scripts.names import MODEL_PIN

        added = tidy(write(folder / f"{name}.csv", added_raw))
        stats = added_data.group_statistics(self.published, long(added))
        complete = added.dropna(subset=["sex", *dataset.measurement_names()])
        scores = compare.score_previous_model(self.reference, complete, MODEL_PIN)
        significant = stats[stats["ks_p"] < added_data.ALPHA]
        return {
            "groups": len(stats),
            "min variance ratio": float(stats["variance_ratio"].min()),
            "max variance ratio": float(stats["variance_ratio"].max()),
            "min spread p": float(stats["spread_p"].min()),
            "max repeated": float(stats["added_repeated"].max()),
            "max KS (p<alpha)": float(significant["ks_distance"].max()) if len(significant) else 0.0,
            "error ratio": scores["rmse"] / self.test_rmse,
            "stats": stats,
            "scores": scores,
        }


def stopped_by(measured: dict) -> str:
    """The rules that would stop a build at the default thresholds."""
    from scripts import added_data, config

    rules = added_data.check(
        measured["stats"],
        max_spread_ratio=config.DEFAULT_MAX_SPREAD_RATIO,
        max_repeated=config.DEFAULT_MAX_REPEATED,
        max_ks=config.DEFAULT_MAX_KS,
    )
    rules += added_data.check_last_model(
        measured["scores"],
        measured["scores"]["rmse"] / measured["error ratio"],
        max_ratio=config.DEFAULT_MAX_ERROR_RATIO,
        min_ratio=config.DEFAULT_MIN_ERROR_RATIO,
    )
    return ", ".join(sorted({f"{v.rule} ({v.column})" for v in rules})) or "builds"


LABELS = ("min var r", "max var r", "min F p", "repeated", "KS (p<a)", "error r")
FIGURES = (
    "min variance ratio", "max variance ratio", "min spread p", "max repeated", "max KS (p<alpha)", "error ratio"
)  # fmt: skip


def line(name: str, measured: dict) -> str:
    figures = "".join(f"{measured[f]:>11.2g}" if f == "min spread p" else f"{measured[f]:>11.2f}" for f in FIGURES)
    return f"{name:<34}{measured['groups']:>7}{figures}  {stopped_by(measured)}"


def new_keys(rows: list[dict[str, str]], study: str, year: str) -> list[dict[str, str]]:
    """The rows as a new season: study ``study``, egg dates in ``year``, sample numbers 1, 2, …"""
    out = []
    for number, row in enumerate(rows, start=1):
        date = row["Date Egg"]
        out.append({**row, "studyName": study, "Sample Number": str(number), "Date Egg": year + date[4:]})
    return out


def group_means(rows: list[dict[str, str]], column: str) -> dict[tuple[str, str], float]:
    sums: dict[tuple[str, str], list[float]] = {}
    for row in rows:
        if row[column] != "NA":
            sums.setdefault((row["Species"], row["Sex"]), []).append(float(row[column]))
    return {group: sum(values) / len(values) for group, values in sums.items()}


def made_up(published: list[dict[str, str]], held_out: list[dict[str, str]]) -> dict[str, list[dict[str, str]]]:
    rng = random.Random(11)
    base = new_keys(rng.choices(held_out, k=SEASON), "PAL1112", "2011")
    mass = "Body Mass (g)"
    means = group_means(published, mass)
    ranges: dict[tuple[str, str], tuple[float, float]] = {}
    for row in published:
        if row[mass] != "NA":
            low, high = ranges.get((row["Species"], row["Sex"]), (1e9, -1e9))
            ranges[(row["Species"], row["Sex"])] = (min(low, float(row[mass])), max(high, float(row[mass])))

    def each(change):
        return [change(dict(row)) for row in base]

    def constant(row):
        row[mass] = "4000" if row[mass] != "NA" else "NA"
        return row

    def imputed(row):
        key = (row["Species"], row["Sex"])
        row[mass] = str(round(means[key])) if row[mass] != "NA" and key in means else row[mass]
        return row

    def rounded(row):
        flipper = "Flipper Length (mm)"
        row[flipper] = str(round(float(row[flipper]) / 10) * 10) if row[flipper] != "NA" else "NA"
        return row

    def uniform(row):
        key = (row["Species"], row["Sex"])
        if row[mass] != "NA" and key in ranges:
            row[mass] = str(round(rng.uniform(*ranges[key])))
        return row

    def unit(row):
        row[mass] = str(round(float(row[mass]) * 1.15)) if row[mass] != "NA" else "NA"
        return row

    copied = [
        {**row, mass: str(int(row[mass]) + 25) if row[mass] != "NA" else "NA"}
        for row in new_keys(published[:SEASON], "PAL1112", "2011")
    ]
    return {
        "body mass one constant": each(constant),
        "body mass imputed as group means": each(imputed),
        "published penguins copied, +25 g": copied,
        "flipper rounded to 10 mm": each(rounded),
        "body mass uniform in its range": each(uniform),
        "body mass x 1.15": each(unit),
    }


def summarize(title: str, measured: list[dict]) -> None:
    import pandas as pd

    stopped = [m for m in measured if stopped_by(m) != "builds"]
    figures = pd.DataFrame([{f: m[f] for f in FIGURES} for m in measured])
    print(f"\n{title}: {len(stopped)} would stop at the defaults")
    for m in stopped[:5]:
        print(f"  stopped: {stopped_by(m)}")
    print(figures.quantile([0, 0.01, 0.5, 0.99, 1]).round(3).to_string())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seasons", type=positive(), default=300, help="how many resampled seasons")
    parser.add_argument("--splits", type=positive(), default=20, help="how many split seasons (a build each)")
    args = parser.parse_args(argv)

    rows = raw_rows()
    header = f"{'new season':<34}{'groups':>7}" + "".join(f"{label:>11}" for label in LABELS)
    with tempfile.TemporaryDirectory(prefix="added-data-") as scratch:
        folder = Path(scratch)
        print(header + "  at the default thresholds")
        seasons = sorted({row["studyName"] for row in rows})
        for season in seasons:
            place = folder / season
            place.mkdir()
            reference = Reference([r for r in rows if r["studyName"] != season], place)
            added = [r for r in rows if r["studyName"] == season]
            print(line(f"real season {season} ({len(added)})", reference.measure(added, place, "added")), flush=True)

        halves = folder / "halves"
        halves.mkdir()
        # The half by a fixed shuffle of the rows (the same halves every run).
        order = list(range(len(rows)))
        random.Random(5).shuffle(order)
        published = [rows[i] for i in sorted(order[: len(rows) // 2])]
        held_out = [rows[i] for i in sorted(order[len(rows) // 2 :])]
        reference = Reference(published, halves)
        for name, season in made_up(published, held_out).items():
            print(line(name, reference.measure(season, halves, "made-up")), flush=True)

        split_measured = []
        for number in range(args.splits):
            place = folder / f"split-{number}"
            place.mkdir()
            order = list(range(len(rows)))
            random.Random(100 + number).shuffle(order)
            split_published = [rows[i] for i in sorted(order[SEASON:])]
            split_added = [rows[i] for i in sorted(order[:SEASON])]
            split_measured.append(Reference(split_published, place).measure(split_added, place, "added"))
        summarize(f"{args.splits} split seasons of {SEASON} penguins (genuine)", split_measured)

        rng = random.Random(3)
        measured = []
        for number in range(args.seasons):
            season = new_keys(rng.choices(held_out, k=SEASON), "PAL1112", "2011")
            measured.append(reference.measure(season, halves, f"resampled-{number}"))
        summarize(f"{args.seasons} resampled seasons of {SEASON} penguins (with replacement)", measured)
    return 0


if __name__ == "__main__":
    sys.exit(main())
