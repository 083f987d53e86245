"""Tables as the pages show them, and the links to each table's files on the site."""

from __future__ import annotations

import re

from report import inputs
from report._escape import _markdown, bullets, code, escape_html, html_block, join, md, text
from report.freshness import _parse, when
from report.reading import MEASUREMENT_LABELS, meta
from scripts import config
from scripts.names import TIDY_PIN
from scripts.text import plural


def download_link(frame, filename: str):
    """Links to a table's files on the site (``report/site_data.py`` writes them after the
    render): the CSV, and its JSON, Parquet and metadata, at stable URLs (``data/<pin>.csv``).

    Markdown, not HTML: Quarto adds require.js and jQuery from a CDN to every page
    with an HTML output (``src/core/jupyter/widgets.ts``), and the site loads nothing
    from another origin. ``filename`` is the pin's name and ``.csv``; ``frame`` is the
    table as the page read it (its rows are counted here).
    """
    if not re.fullmatch(r"[A-Za-z0-9_-]+\.csv", filename):  # ours, but it lands in a URL and an attribute
        raise ValueError(f"a download is a pin's name and .csv (letters, digits, '_', '-'): {filename!r}")
    name = filename.removesuffix(".csv")
    return _markdown(_links(name, len(frame)))


def _links(name: str, rows: int) -> str:
    from report.site_data import files

    found = files(name, rows)
    counted = f"{rows:,} {plural(rows, 'row')}"
    formats = (("json", "JSON"), ("parquet", "Parquet"), ("metadata", "about"))
    others = [f"[{label}]({found[key]})" for key, label in formats if key in found]
    if "csv" in found:
        first = f'[Download {name}.csv (CSV, {counted})]({found["csv"]}){{.download download="{name}.csv"}}'
        return first + " · " + " · ".join(others)
    first = f'[Download {name}.parquet (Parquet, {counted})]({found["parquet"]}){{.download download="{name}.parquet"}}'
    return first + " · " + " · ".join(o for o in others if "Parquet" not in o)


def tidy_download():
    """Links to the full tidy table's files: its rows from the pin's metadata (pages never read it)."""
    rows = int(meta(TIDY_PIN).user["rows"])
    return _markdown(_links(TIDY_PIN, rows))


def download_links(tables: dict):
    """A download link for each table of ``{name: frame}``, one paragraph each."""
    return join((download_link(frame, f"{name}.csv") for name, frame in tables.items()), "\n\n")


def table(gt, summary: str | None = None, caption: str | None = None):
    """A great_tables table as the page shows it: its HTML in a raw block of Markdown output.

    Shown as HTML output, a table would make Quarto add require.js and jQuery from a
    CDN to the page (``src/core/jupyter/widgets.ts`` does so for any text/html
    output); Quarto turns HTML output into this same raw block anyway. With a
    ``summary``, the table is collapsed under it (a long table below a chart that
    already shows it): the reader opens it when they want the numbers. A ``caption``
    is the table's own ``<caption>`` (for a cell that may show a sentence instead, where
    Quarto's ``tbl-cap`` cannot go); great_tables' ``tab_header`` would be a header row
    of the data, and every such title on a page would have the same ``id``.
    """
    # great_tables escapes the text of every cell, header and group as HTML
    html = gt.as_raw_html()
    if caption is not None:
        html, found = re.subn(
            r"(<table\b[^>]*>)", lambda m: f"{m.group(1)}\n<caption>{escape_html(caption)}</caption>", html, count=1
        )
        if not found:
            raise ValueError("great_tables wrote no <table> to caption")
    if summary is not None:
        html = f"<details>\n<summary>{escape_html(summary)}</summary>\n{html}\n</details>"
    return html_block(html)


# Attempts the gate log on the What changed page lists (the newest that built, were held back or failed).
LISTED_ATTEMPTS = 10
# A gate log longer than this many rows is collapsed under a line that says what it holds.
LISTED_GATE_ROWS = 30


def gate_log():
    """The gate log: each recent attempt that built, was held back or failed, newest first, one
    row per rule with what it measured and its limit (``scripts/attempts.py``).

    Read from the board's attempts log, not a pin: a held-back build writes no pin. The page
    that shows it executes again when a build is built, held back or fails, never for an
    up-to-date check (``report.inputs`` notes the log's fingerprint, ``report.freeze`` compares it).
    """
    from scripts import attempts

    log = attempts.read(config.get_board())
    inputs.note_pin(inputs.GATE_LOG, attempts.fingerprint(log))
    return gate_log_rows(attempts.news(log)[:LISTED_ATTEMPTS])


def gate_log_rows(news: list[dict]):
    """The gate log's rows (``gate_log``) for attempts given newest first.

    >>> from scripts import attempts
    >>> held = attempts.attempt("held back", "2026-12-04T05:17:00Z", source_hash="ab" * 32, measures=[
    ...     {"rule": "revisions", "measured": 0.97, "shown": "333 of 344 (96.8%)", "limit": "at most 5%",
    ...      "passed": False}])
    >>> gate_log_rows([held]).iloc[0].to_dict()  # doctest: +NORMALIZE_WHITESPACE
    {'attempt': '4 December 2026, 05:17 UTC · held back · data abababababab', 'rule': 'revisions',
     'measured': '333 of 344 (96.8%)', 'limit': 'at most 5%', 'verdict': '✗ held back'}
    """
    import pandas as pd

    rows = []
    for entry in news:
        label = f"{when(_parse(entry['checked_at']))} · {entry['result']}"
        if entry.get("source_hash"):
            label += f" · data {entry['source_hash'][:12]}"
        failed_verdict = "✗ held back" if entry["result"] == "held back" else "✗ failed"
        for measured in entry.get("measures", []):
            verdict = "✓ passed" if measured["passed"] else failed_verdict
            rows.append([label, measured["rule"], measured["shown"], measured["limit"], verdict])
        covered = {m["rule"] for m in entry.get("measures", []) if not m["passed"]}
        for line in attempts_problems(entry, covered):
            rows.append([label, line[0], line[1], "—", failed_verdict])
        if not entry.get("measures") and not entry.get("problems"):
            rows.append([label, "—", "nothing measured (a first build has nothing to compare)", "—", "✓ built"])
    return pd.DataFrame(rows, columns=["attempt", "rule", "measured", "limit", "verdict"])


def attempts_problems(entry: dict, covered: set[str]) -> list[tuple[str, str]]:
    """(rule, what it says) of each failed rule that no measure covers (a row-level rule, a failure)."""
    found = []
    for line in entry.get("problems", []):
        rule, _, rest = line.partition('", ') if line.startswith('rule "') else ("", "", line)
        rule = rule.removeprefix('rule "').rstrip('"') or "—"
        if rule not in covered:
            found.append((rule, rest or line))
    return found


def history_table(history):
    """``build_history`` as the versions table shows it: newest first, the time as readers write it,
    the data's content hash shortened to 12 characters."""
    shown = history.assign(
        built_at=history["built_at"].map(lambda stamp: when(_parse(stamp))),
        data=history["source_hash"].str[:12],
    )
    columns = ["build", "built_at", "data", "code_version", "penguins", "model", "test_rmse", "previous_model_rmse"]
    return shown[columns].iloc[::-1].reset_index(drop=True)


def change_rows(changes, section: str):
    """The rows of one ``section`` of the ``changes`` pin, with only the columns that section uses."""
    columns = {
        "penguins": ["species", "island", "year", "old", "new", "added", "removed", "revised"],
        "revision": ["species", "island", "year", "item", "detail"],
        "statistic": ["species", "sex", "item", "old", "new", "difference", "detail"],
        "model": ["item", "old", "new", "difference", "detail"],
    }[section]
    return changes.loc[changes["section"] == section, columns].reset_index(drop=True)


# The "Averages that moved" table shows this many means, those that moved most.
LISTED_MOVES = 8


def largest_moves(statistics, listed: int = LISTED_MOVES):
    """(the ``listed`` means that moved most, in pooled SD; a sentence on the rest, Markdown).

    ``statistics``: the ``statistic`` rows of ``changes`` (``change_rows``), whose
    ``detail`` says the move (``0.42 pooled SD``, written by ``scripts/compare.py``).
    """
    import pandas as pd

    moved = pd.to_numeric(statistics["detail"].str.extract(r"^([\d.]+) pooled SD$")[0], errors="coerce")
    order = moved.fillna(-1).sort_values(ascending=False, kind="stable").index
    shown = statistics.loc[order[:listed]].reset_index(drop=True)
    rest = moved.loc[order[listed:]]
    if not len(rest):
        return shown, text("")
    largest = rest.max()
    sentence = (
        f"The other {len(rest):,} {plural(len(rest), 'mean')} moved less"
        + (f", {largest:.2f} pooled SD at most." if pd.notna(largest) else ".")
        + " Every mean is in changes.csv, to download at the end of this page."
    )
    return shown, text(sentence)


def gram_rows(model_changes) -> list[int]:
    """The rows of the model metrics table that are in grams (RMSE, MAE)."""
    return [i for i, item in enumerate(model_changes["item"]) if "R²" not in str(item)]


def ratio_rows(model_changes) -> list[int]:
    """The rows of the model metrics table that are ratios (R²)."""
    return [i for i, item in enumerate(model_changes["item"]) if "R²" in str(item)]


def statistics_table(stats):
    """``measurement_stats`` as the page tabulates it: by species and sex (not both sexes
    together), each measurement named by its label, in the description's order."""
    shown = stats[stats["sex"] != "all"]
    order = {name: position for position, name in enumerate(MEASUREMENT_LABELS)}
    shown = shown.sort_values("measurement", key=lambda names: names.map(order), kind="stable")
    return shown.assign(measurement=shown["measurement"].map(MEASUREMENT_LABELS)).reset_index(drop=True)


def correlation_matrix(correlations, group: str = "All species"):
    """One group's correlation matrix from the ``correlations`` pin, rows and columns
    in the description's order and named by their labels."""
    names = [m for m in MEASUREMENT_LABELS if m in correlations.columns]
    matrix = correlations[correlations["group"] == group].set_index("measurement").loc[names, names]
    return matrix.rename(index=MEASUREMENT_LABELS, columns=MEASUREMENT_LABELS)


def pin_listing(manifest_: dict, metas: dict):
    """The pinned tables of the last complete build (all but the model): name, rows,
    version and the reader's description of each."""
    import pandas as pd

    return pd.DataFrame(
        [
            {
                "table": name,
                "rows": metas[name].user["rows"],
                "version": manifest_["pins"][name],
                "description": metas[name].description,
            }
            for name in metas
        ]
    )


def provenance(manifest_: dict) -> dict:
    """The build manifest's provenance as the Data page writes it (Markdown)."""
    return {
        "source_hash": code(manifest_["source_hash"]),
        "source_rows": md("{rows:,}", rows=manifest_["source_rows"]),
        "built_at": text(manifest_["built_at"]),
        "data_changed_at": text(manifest_["data_changed_at"]),
        "code_version": code(manifest_["code_version"]),
        "packages": text(", ".join(f"{k} {v}" for k, v in manifest_["packages"].items())),
    }


def revision_list(revisions):
    """The published observations whose values changed (the ``revision`` rows of ``changes``), as a list."""
    if not len(revisions):
        return text("")
    intro = text("Observations already published whose values changed (the first few, by study and sample number):")
    return join([intro, bullets(revisions["detail"])], "\n\n")


def metrics_table(test_metrics):
    """``model_test_metrics`` as the model page tabulates it: the chosen model marked
    with a word (not ``True``/``False``), the columns the table shows."""
    columns = ["model", "chosen", "cv_rmse_mean", "cv_rmse_sd", "rmse", "mae", "r2"]
    return test_metrics[columns].assign(chosen=test_metrics["chosen"].map({True: "✓ chosen", False: ""}))
