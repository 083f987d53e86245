"""Sentences the pages write from the pins: the headline numbers and what changed."""

from __future__ import annotations

from report._escape import join, md, text
from report.freshness import _parse, when
from report.reading import MEASUREMENT_LABELS
from scripts.text import plural, span, words


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


def rows_summary(text: str, frame) -> str:
    """The line a collapsed table opens under: what it holds and how many rows."""
    return f"{text} ({len(frame):,} {plural(len(frame), 'row')})"


def _given(value) -> bool:
    import pandas as pd

    return not pd.isna(value)
