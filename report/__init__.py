"""What the pages use to read the board: open it, read pins, say how and when it was built.

The documents only read pins and draw. This module opens the board named by
``REPORT_BOARD`` and reads each pin at the version the last complete build
recorded in ``build_manifest`` (so a page never mixes two builds), and it
holds the few presentation settings shared by all pages.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

from report import inputs
from report._escape import _markdown, bullets, code, code_block, escape_html, html_block, join, md, text
from scripts import config, dataset
from scripts.errors import first_line
from scripts.names import MANIFEST, MODEL_PIN, TIDY_PIN
from scripts.text import plural, span, words

# What the pages use; everything else here is internal.
__all__ = [
    "LISTED_GATE_ROWS",
    "MEASUREMENT_LABELS",
    "MODEL_PIN",
    "SPECIES_COLORS",
    "TIDY_PIN",
    "MissingPin",
    "api_examples",
    "bullets",
    "change_rows",
    "code",
    "correlation_matrix",
    "download_link",
    "download_links",
    "draw_histograms",
    "gate_log",
    "gram_rows",
    "headline_numbers",
    "history_table",
    "input_rules",
    "islands_sentence",
    "largest_moves",
    "last_data_change",
    "manifest",
    "md",
    "meta",
    "metrics_table",
    "missing_sentence",
    "model_card",
    "page_tables",
    "pin_listing",
    "plural",
    "prototype_rows",
    "provenance",
    "rasterize",
    "ratio_rows",
    "read",
    "revision_list",
    "rows_summary",
    "since_last_build",
    "span",
    "statistics_table",
    "table",
    "text",
    "tidy_download",
    "trend_sentence",
    "use_figure_style",
    "value_range",
    "when",
    "words",
]

# A scatter of more points than this is drawn as a raster layer inside its SVG
# (a vector point each would make the page heavy); fewer stay vector.
VECTOR_POINTS = 1000
# Figures are SVG; the few raster layers in them (a dense scatter) are drawn at this
# resolution, twice the 96 dpi of a plain screen (as _quarto.yml's fig-dpi).
FIGURE_DPI = 192
HOW_TO_BUILD = "build it with `uv run python -m scripts.build` (or point REPORT_BOARD at a built board)"
SPECIES_COLORS = {"Adelie": "#d95f02", "Chinstrap": "#7570b3", "Gentoo": "#1b9e77"}
# How the pages name each measurement, in the order of the one description (scripts/dataset.py).
MEASUREMENT_LABELS = {m.name: m.label for m in dataset.MEASUREMENTS}


class MissingPin(RuntimeError):
    """The board or a pin the page needs is not there, or cannot be read."""


@cache
def board():
    """The pins board in ``REPORT_BOARD`` (default ``data/board``)."""
    from scripts.board import open_board
    from scripts.errors import BoardError

    try:
        return open_board(config.get_board())
    except BoardError as error:
        raise MissingPin(str(error)) from None


@cache
def _manifest() -> dict:
    if not board().pin_exists(MANIFEST):
        raise MissingPin(f"the board at {config.get_board()} has no {MANIFEST!r} pin: {HOW_TO_BUILD}")
    return board().pin_read(MANIFEST)


def manifest() -> dict:
    """The last complete build: provenance and the version of every pin. A page that reads
    it executes again after every build (``report.inputs``)."""
    content = _manifest()
    inputs.note_pin(MANIFEST, content["built_at"])
    return content


def _version(name: str) -> str:
    """The version of ``name`` that the last complete build wrote."""
    version = _manifest()["pins"].get(name)
    if version is None:
        raise MissingPin(f"the board at {config.get_board()} has no pin {name!r}: {HOW_TO_BUILD}")
    return version


def page_tables() -> list[str]:
    """The table pins a page may read: all but the model and the full tidy table."""
    return [name for name in _manifest()["pins"] if name not in (MODEL_PIN, TIDY_PIN)]


def read(name: str):
    """A pinned table, at the version of the last complete build.

    The full tidy table (``TIDY_PIN``) grows with the raw data, so pages never
    read it: they show the bounded summaries (rule 2 of the design).

    Parquet pins are read from the file's path (``pin_download``), not through the
    Python file object ``pin_read`` hands to pyarrow: with a file object, a pyarrow
    worker may release it while the interpreter shuts down, which aborts the
    process on Python < 3.14 ("terminate called without an active exception").
    """
    import pandas as pd

    if name == TIDY_PIN:
        raise MissingPin(f"pages do not read {TIDY_PIN!r} (every row, any size): read a summary pin instead")
    version = _version(name)
    inputs.note_pin(name, version)
    try:
        if meta(name).type != "parquet":
            return board().pin_read(name, version=version)
        (path,) = board().pin_download(name, version=version)
        return pd.read_parquet(path)
    except Exception as exc:  # a damaged or missing file
        raise MissingPin(
            f"cannot read pin {name!r} (version {version}) from the board at {config.get_board()} ({first_line(exc)}): "
            "rebuild it with `uv run python -m scripts.build --force`"
        ) from None


def meta(name: str):
    """A pin's metadata (never its data: the model is not unpickled)."""
    version = _version(name)
    inputs.note_pin(name, version)
    return board().pin_meta(name, version=version)


def _parse(stamp: str) -> dt.datetime:
    return dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def last_data_change() -> dt.datetime:
    """When the data last changed (the last complete build's ``data_changed_at``). When the
    scheduled check last ran is not a page's to say: ``report.status`` writes it to
    ``status.json``, which every page's inline script reads."""
    return _parse(manifest()["data_changed_at"])


def when(moment: dt.datetime) -> str:
    """A timestamp as readers write it: 22 November 2026, 01:20 UTC."""
    return f"{moment.day} {moment:%B %Y, %H:%M} UTC"


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


def _is_list(value) -> bool:
    """A list cell (a Parquet list column reads as arrays); CSV shows it as ``a; b; c``."""
    return hasattr(value, "__len__") and not isinstance(value, str | bytes)


def since_last_build(history):
    """One sentence on what changed since the build before, from ``build_history`` (Markdown).

    ``"Since the last build (22 November 2026): +120 penguins, model RMSE 276 → 298 g."``;
    on a first build, that there is nothing to compare yet.
    """
    if len(history) < 2:
        return text("This is the first build on this board: there is nothing to compare it with yet.")
    previous, last = history.iloc[-2], history.iloc[-1]
    parts = []
    if _given(last["added"]):
        counts = [(last["added"], "+{:,} " + plural(last["added"], "penguin")), (last["removed"], "−{:,} removed")]
        counts.append((last["revised"], "{:,} revised"))
        parts += [template.format(int(n)) for n, template in counts if n]
        if not parts:
            parts.append("no penguin added, removed or revised")
    else:  # rows not matched (the build before had no observation key): the count then and now
        moved = int(last["penguins"]) - int(previous["penguins"])
        parts.append(f"{moved:+,} {plural(abs(moved), 'penguin')}" if moved else "as many penguins")
    parts.append(f"model RMSE {previous['test_rmse']:,.0f} → {last['test_rmse']:,.0f} g")
    return md(
        "Since the last build ({when}): {parts}.", when=when(_parse(previous["built_at"])), parts=", ".join(parts)
    )


def _given(value) -> bool:
    import pandas as pd

    return not pd.isna(value)


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


def use_figure_style() -> None:
    """One look for every figure: SVG (crisp at any density, its size declared), white
    background, readable in light and dark themes; raster layers (a dense scatter) at 2x."""
    import matplotlib as mpl
    import seaborn as sns
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    sns.set_theme(style="whitegrid", context="notebook")
    mpl.rcParams.update(
        {
            "figure.facecolor": "white",
            "savefig.facecolor": "white",
            "figure.dpi": FIGURE_DPI,
            "savefig.dpi": FIGURE_DPI,
            "figure.figsize": (7.5, 4.2),
            "axes.titleweight": "bold",
            # figure text is literal: a '$' in a label from the data is a dollar, never mathtext
            "text.parse_math": False,
        }
    )
    set_matplotlib_formats("svg")  # as _quarto.yml's fig-format: svg


def draw_histograms(histograms, palette: dict) -> None:
    """Step histograms of every measurement (a row each) for female and male penguins
    (a column each), one outline per species, from the pre-binned ``histograms`` pin."""
    import matplotlib.pyplot as plt

    sexes = ["female", "male"]
    measurements = [m for m in MEASUREMENT_LABELS if m in set(histograms["measurement"])]
    fig, axes = plt.subplots(
        len(measurements), len(sexes), figsize=(7.5, 2.3 * len(measurements)), squeeze=False, sharex="row", sharey="row"
    )
    for row, measurement in enumerate(measurements):
        bins = histograms[histograms["measurement"] == measurement]
        for column, sex in enumerate(sexes):
            ax = axes[row][column]
            for species, color in palette.items():
                counts = bins[(bins["sex"] == sex) & (bins["species"] == species)].sort_values("bin_start")
                if len(counts):
                    _stairs(ax, counts, color, species)
            ax.set_xlabel(MEASUREMENT_LABELS[measurement])
            ax.set_ylabel("Penguins" if column == 0 else "")
            if row == 0:
                ax.set_title(sex)
    handles, names = axes[0][0].get_legend_handles_labels()
    fig.legend(handles, names, title="Species", loc="upper right", frameon=False)
    fig.tight_layout(rect=(0, 0, 0.86, 1))
    plt.show()


def _stairs(ax, counts, color: str, species: str) -> None:
    """One species' counts as a step outline; empty bins between its values read as zero."""
    import numpy as np

    width = float((counts["bin_end"] - counts["bin_start"]).iloc[0])
    starts = counts["bin_start"].to_numpy(dtype=float)
    edges = np.arange(starts.min(), starts.max() + width * 1.5, width)
    values = np.zeros(len(edges) - 1)
    values[np.round((starts - starts.min()) / width).astype(int)] = counts["n"].to_numpy()
    ax.stairs(values, edges, color=color, label=species, linewidth=1.5)


def headline_numbers(overview, chosen, baseline) -> dict:
    """The overview's headline numbers as the page writes them (each Markdown text, for an
    inline expression): from the ``overview`` row and the chosen and baseline rows of
    ``model_test_metrics``."""
    shown = {
        "penguins": f"{overview['penguins']:,}",
        "penguins_noun": plural(overview["penguins"], "penguin"),
        "species": f"{overview['species']}",
        "islands": f"{overview['islands']}",
        "islands_noun": plural(overview["islands"], "island"),
        "seasons": f"{overview['years']}",
        "seasons_noun": plural(overview["years"], "breeding season"),
        "years": span(overview["first_year"], overview["last_year"]),
        "rmse": f"{chosen['rmse']:,.0f} g",
        "r2": f"{chosen['r2']:.2f}",
        "baseline_rmse": f"{baseline['rmse']:,.0f} g",
    }
    return {name: text(value) for name, value in shown.items()}


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


def missing_sentence(missing):
    """One sentence on the values missing from the tidy table (the ``missing_values`` pin), as Markdown."""
    gaps = missing.set_index("column")["missing"]
    rows = int(missing["rows"].iloc[0])
    parts = [
        f"{int(gaps[m]):,} without {label.split(' (')[0].lower()}"
        for m, label in MEASUREMENT_LABELS.items()
        if gaps.get(m, 0)
    ]
    if gaps.get("sex", 0):
        parts.append(f"{int(gaps['sex']):,} that could not be sexed")
    if not parts:
        return md("All {rows:,} penguins were measured and sexed.", rows=rows)
    return md(
        "Of {rows:,} penguins, {parts}; the figures and tables above leave those values out.",
        rows=rows,
        parts=words(parts),
    )


def islands_sentence(where):
    """Where each species was observed, from the ``species_islands`` pin (Markdown)."""
    found = [
        md(
            "{species} penguins were found {where} {islands}",
            species=row.species,
            where="on" if len(row.islands) > 1 else "only on",
            islands=words(row.islands),
        )
        for row in where.itertuples()
    ]
    return join([*found[:-1], md("{last}.", last=found[-1])] if found else [], "; ")


def trend_sentence(trends):
    """What the least-squares lines of bill depth on bill length say (``bill_trends``), as Markdown:
    Simpson's paradox when the pooled slope is negative and every species' slope positive."""
    pooled = trends[trends["group"] == "All species"].iloc[0]
    within = trends[trends["group"] != "All species"]
    slopes = words(f"{row.group} {row.slope:+.2f}" for row in within.itertuples())
    if pooled["slope"] < 0 < within["slope"].min():
        return md(
            "Across all penguins, longer bills go with *shallower* bills (the dashed line: "
            "{slope:+.2f} mm of depth per mm of length). Within each species the relation "
            "is the opposite, longer bills are *deeper* ({slopes}). The pooled trend comes only from the "
            "differences between the species: a textbook case of Simpson's paradox.",
            slope=pooled["slope"],
            slopes=slopes,
        )
    return md(
        "Across all penguins, bill depth changes by {slope:+.2f} mm per mm of bill length "
        "(the dashed line); within species by {slopes}.",
        slope=pooled["slope"],
        slopes=slopes,
    )


def _build_metadata(model_meta) -> dict:
    """What the build pinned with the model: vetiver keeps it under ``user`` of its own metadata."""
    return model_meta.user["user"]


def model_card(model_meta, chosen, overview) -> dict:
    """The model card's fields as the page writes them (Markdown), from the model pin's metadata,
    the chosen row of ``model_test_metrics`` and the ``overview`` row."""
    rows = _build_metadata(model_meta)["training_rows"]
    return {
        "model": md("{model}: {description}", model=chosen["model"], description=chosen["description"]),
        "inputs": text(chosen["features"]),
        "trained_on": md(
            "{train:,} penguins with every input, a stratified sample of the {penguins:,} "
            "observed at Palmer Station ({years}); {test:,} more held out for testing",
            train=rows["train"],
            penguins=overview["penguins"],
            years=span(overview["first_year"], overview["last_year"]),
            test=rows["test"],
        ),
        "accuracy": md(
            "RMSE {rmse:,.0f} g, MAE {mae:,.0f} g, R² {r2:.2f} on held-out penguins",
            rmse=chosen["rmse"],
            mae=chosen["mae"],
            r2=chosen["r2"],
        ),
        "version": md(
            "{version}, built {built_at}, code {code_version}",
            version=code(model_meta.version.version),
            built_at=model_meta.user["built_at"],
            code_version=code(model_meta.user["code_version"]),
        ),
    }


def prototype_rows(model_meta) -> str:
    """A request body the API accepts: the model's prototype row, as a JSON list."""
    import json

    return json.dumps([json.loads(model_meta.user["vetiver_meta"]["prototype"])])


def api_examples(model_meta):
    """How to call the API with the prototype row: with curl and with vetiver (code blocks)."""
    row = prototype_rows(model_meta)
    curl = f"curl -s http://127.0.0.1:8080/predict \\\n  -H 'Content-Type: application/json' \\\n  -d '{row}'"
    python = (
        "import pandas as pd\nfrom vetiver import predict\n\n"
        f'rows = pd.DataFrame({row})\npredict(endpoint="http://127.0.0.1:8080/predict", data=rows)'
    )
    return join([code_block(curl, "bash"), code_block(python, "python")], "\n")


def input_rules(model_meta):
    """What the API accepts for each input (the domain pinned with the model), as a Markdown list."""
    rules = []
    for field, allowed in _build_metadata(model_meta)["input_domain"].items():
        if "values" in allowed:
            rules.append(
                md("{field}: one of {values}", field=code(field), values=join(map(code, allowed["values"]), ", "))
            )
        else:
            rules.append(
                md(
                    "{field}: from {low} to {high} {unit}",
                    field=code(field),
                    low=allowed["min"],
                    high=allowed["max"],
                    unit=allowed["unit"],
                )
            )
    return bullets(rules)


def value_range(frame, columns) -> tuple[float, float]:
    """The smallest and largest value over ``columns`` of ``frame`` (a diagonal's ends)."""
    values = frame[list(columns)]
    return float(values.min().min()), float(values.max().max())


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


def rasterize(frame) -> bool:
    """Whether a scatter of ``frame``'s rows is drawn as a raster layer (more than
    ``VECTOR_POINTS`` points) rather than a vector point each."""
    return len(frame) > VECTOR_POINTS


def metrics_table(test_metrics):
    """``model_test_metrics`` as the model page tabulates it: the chosen model marked
    with a word (not ``True``/``False``), the columns the table shows."""
    columns = ["model", "chosen", "cv_rmse_mean", "cv_rmse_sd", "rmse", "mae", "r2"]
    return test_metrics[columns].assign(chosen=test_metrics["chosen"].map({True: "✓ chosen", False: ""}))


def rows_summary(text: str, frame) -> str:
    """The line a collapsed table opens under: what it holds and how many rows."""
    return f"{text} ({len(frame):,} {plural(len(frame), 'row')})"
