"""What the pages use: read the board's pins, and show them as figures, tables and sentences.

The documents only read pins and draw. The package is small modules behind this
``__all__``, which is what a page imports (``import report``):

- ``report.reading``: the board named by ``REPORT_BOARD``, each pin at the version the
  last complete build recorded in ``build_manifest`` (a page never mixes two builds),
  through ``scripts.board_read`` only (nothing here can write a board);
- ``report.freshness``: when the data changed, and how a moment is written;
- ``report.figures``: the figures' shared style and drawings;
- ``report.tables``: tables as shown, the gate log, and links to each table's files;
- ``report.sentences``: the headline numbers and what changed, in words;
- ``report.model_card``: how the model was trained and how to call the API.

The steps around the render (``report.freeze``, ``report.status``, ``report.cite``,
``report.site_data``, ``report.optimize``) are commands of their own.
"""

from __future__ import annotations

from report._escape import bullets, code, md, text
from report.figures import MEASUREMENT_LABELS, SPECIES_COLORS, draw_histograms, rasterize, use_figure_style, value_range
from report.freshness import last_data_change, when
from report.model_card import api_examples, input_rules, model_card, prototype_rows
from report.reading import MissingPin, _manifest, board, manifest, meta, page_tables, read  # noqa: F401 - caches a test clears (report.board.cache_clear())
from report.sentences import (
    headline_numbers,
    islands_sentence,
    missing_sentence,
    rows_summary,
    since_last_build,
    trend_sentence,
)
from report.tables import (
    LISTED_GATE_ROWS,
    change_rows,
    correlation_matrix,
    download_link,
    download_links,
    gate_log,
    gram_rows,
    history_table,
    largest_moves,
    metrics_table,
    pin_listing,
    provenance,
    ratio_rows,
    revision_list,
    statistics_table,
    table,
    tidy_download,
)
from scripts.names import MODEL_PIN, TIDY_PIN
from scripts.text import plural, span, words

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
