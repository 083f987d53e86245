"""The one description of the data: its measurements, categories and sample sizes.

Everything that depends on which measurements the penguins carry reads them
from here: the gate (``scripts/validate.py``: raw column, plausible range,
unit), the clean step and the summaries (``scripts/sql``: through the DuckDB
table ``measurements`` and the variables that ``register`` sets), the training
(``scripts/train.py``: the numeric inputs, the range the API accepts) and the
pages (``report``: labels and histogram bins). To add a measurement, add one
``Measurement`` below (and extend its tests); nothing else changes.

>>> [m.name for m in MEASUREMENTS]
['bill_length_mm', 'bill_depth_mm', 'flipper_length_mm', 'body_mass_g']
>>> MEASUREMENTS[3].shift  # the middle of the plausible range
4500.0
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Measurement:
    """One measured quantity: where it comes from, what is plausible, how it is shown."""

    name: str  # the tidy column (palmerpenguins' name)
    raw: str  # the raw LTER column it is read from
    label: str  # how the pages name it, with the unit
    unit: str
    low: float  # the gate's plausible range, inclusive
    high: float
    bin_width: float  # the width of a histogram bin, in the unit
    whole: bool = False  # recorded as a whole number (rounded in the tidy table)

    @property
    def shift(self) -> float:
        """The middle of the plausible range: values are summed shifted by it, to keep precision."""
        return (self.low + self.high) / 2


# Plausible ranges are generous bounds for adult pygoscelid penguins (the shipped
# data spans bill 32–60 mm, depth 13–22 mm, flipper 172–231 mm, mass 2.7–6.3 kg).
# The order is the tidy table's (palmerpenguins' columns).
MEASUREMENTS = (
    Measurement("bill_length_mm", "Culmen Length (mm)", "Bill length (mm)", "mm", 25, 70, 1.0),
    Measurement("bill_depth_mm", "Culmen Depth (mm)", "Bill depth (mm)", "mm", 10, 30, 0.5),
    Measurement("flipper_length_mm", "Flipper Length (mm)", "Flipper length (mm)", "mm", 150, 250, 5.0, whole=True),
    Measurement("body_mass_g", "Body Mass (g)", "Body mass (g)", "g", 2000, 7000, 250.0, whole=True),
)

# The known categories, as the raw data writes them. The tidy table keeps the
# first word of a species ("Adelie"), the island as it is, and sex in lower case.
SPECIES = (
    "Adelie Penguin (Pygoscelis adeliae)",
    "Chinstrap penguin (Pygoscelis antarctica)",
    "Gentoo penguin (Pygoscelis papua)",
)
ISLANDS = ("Biscoe", "Dream", "Torgersen")
SEXES = ("MALE", "FEMALE")


@dataclass(frozen=True)
class Identifier:
    """A raw text column that names things (a key, or text that reaches a page): its shape.

    A value is a ``first`` character, then up to ``max_length - 1`` characters of
    ``chars`` (both regular-expression character classes, ASCII only): no space,
    markup, quote, shortcode delimiter or invisible character fits, so a value that
    passes is text wherever it lands. The gate checks the value as the tidy table
    keeps it (trimmed of spaces).

    >>> IDENTIFIERS[0].matches("PAL0708"), IDENTIFIERS[0].matches("<img src=x>")
    (True, False)
    >>> IDENTIFIERS[0].pattern
    '^[A-Za-z][A-Za-z0-9_-]{0,31}$'
    """

    raw: str  # the raw LTER column
    first: str  # the class of the first character
    chars: str  # the class of every other character
    max_length: int
    example: str  # a value the LTER writes, which fits
    required: bool = True  # must be present in the source (else checked when present)
    # Few distinct values (a study per season): the gate checks each distinct value once
    # rather than every row; many (a bird each), every row's.
    few: bool = False

    @property
    def pattern(self) -> str:
        """The shape as one regular expression (for readers; the gate checks its parts)."""
        return f"^[{self.first}][{self.chars}]{{0,{self.max_length - 1}}}$"

    @property
    def meaning(self) -> str:
        """The shape in words, for messages."""
        return f"{self.pattern}, as the LTER's {self.example!r}"

    def matches(self, value: str) -> bool:
        """Whether ``value`` (as the tidy table keeps it: trimmed) has this shape."""
        import re

        return re.fullmatch(self.pattern.removesuffix("$"), value.strip(" ")) is not None


# The study season (PAL0708: Palmer, 2007/08) is part of every observation's key
# and is shown on the pages; the individual (N1A1: nest 1, adult 1) identifies a
# bird across seasons. Their shapes are the LTER's naming, widened to any letters
# and digits; nothing in them can be markup, a Quarto shortcode or a line break.
IDENTIFIERS = (
    Identifier("studyName", "A-Za-z", "A-Za-z0-9_-", 32, "PAL0708", few=True),
    Identifier("Individual ID", "A-Za-z0-9", "A-Za-z0-9_.-", 32, "N1A1", required=False),
)

# The two bounded samples: at most this many penguins from each stratum, whatever
# the raw size (the scatter plots: species x island x sex; the model: species x sex).
SCATTER_PER_STRATUM = 250
TRAINING_PER_STRATUM = 2000


# --- the raw layout (the LTER's columns, as the gate and the clean step read them) ---

# One observation: a sample number within a study season and species.
OBSERVATION_KEY = ("studyName", "Species", "Sample Number")
# The same key in the tidy table (``sql/clean.sql``): what tells one penguin from
# another across builds (``scripts/compare.py``, ``scripts/added_data.py``).
TIDY_KEY = ("study_name", "species", "sample_number")
# The key as cleaned, one SQL expression per raw column, used by the gate (to find
# repeats) and by the clean step (``clean.py`` gives ``clean.sql`` the study and number
# under their tidy names): text trimmed, the number as a number, so '01', '1.0' and ' 1'
# are one penguin and a trailing space after the species hides no repeat. (The
# species keeps its full name here, for messages; clean.sql's short name is one-to-one
# with it.) Rounded, so '1.5' is sample 2 on DuckDB and on Spark (a cast alone truncates on Spark).
KEY_SQL = (
    'trim(CAST("studyName" AS VARCHAR))',
    'trim(CAST("Species" AS VARCHAR))',
    'TRY_CAST(round(TRY_CAST("Sample Number" AS DOUBLE)) AS BIGINT)',
)
# One bird on one day: whatever study and sample number it is filed under.
BIRD_KEY = ("Individual ID", "Species", "Date Egg")
# The raw columns besides the measurements and the key that clean.sql reads.
RAW_KEPT = ("Species", "Island", "Sex", "Date Egg")


@dataclass(frozen=True)
class RawColumn:
    """What the gate expects of one raw LTER column."""

    name: str
    kind: str  # "text", "integer", "number" or "date"
    required: bool = True  # must be present in the source
    not_null: bool = False  # every row must have a value
    low: float | str | None = None  # plausible range (inclusive)
    high: float | str | None = None
    unit: str = ""
    allowed: tuple[str, ...] = ()
    measurement: bool = False  # must not be entirely missing
    shape: Identifier | None = None  # an identifier's shape (text columns)


def raw_columns() -> tuple[RawColumn, ...]:
    """Every raw LTER column the gate knows, with what it expects of it.

    The measurements, their ranges and the known categories come from the one
    description of the data (above), read at call time.
    """
    measured = tuple(
        RawColumn(m.raw, "number", low=m.low, high=m.high, unit=m.unit, measurement=True) for m in MEASUREMENTS
    )
    shapes = {identifier.raw: identifier for identifier in IDENTIFIERS}
    return (
        RawColumn("studyName", "text", not_null=True, shape=shapes["studyName"]),
        RawColumn("Sample Number", "integer", not_null=True, low=1, high=100_000),
        RawColumn("Species", "text", not_null=True, allowed=SPECIES),
        RawColumn("Island", "text", not_null=True, allowed=ISLANDS),
        RawColumn("Date Egg", "date", not_null=True, low="1990-01-01", high="today"),
        *measured,
        RawColumn("Sex", "text", allowed=SEXES),
        RawColumn("Individual ID", "text", required=False, shape=shapes["Individual ID"]),
        # Stable isotope ratios: checked when present, not published.
        RawColumn("Delta 15 N (o/oo)", "number", required=False, low=5, high=15, unit="‰"),
        RawColumn("Delta 13 C (o/oo)", "number", required=False, low=-30, high=-20, unit="‰"),
    )


def measurement_names() -> list[str]:
    """The tidy names of the measurements, in the tidy table's order."""
    return [m.name for m in MEASUREMENTS]


def find(name: str) -> Measurement:
    """The measurement with tidy name ``name``."""
    for measurement in MEASUREMENTS:
        if measurement.name == name:
            return measurement
    raise KeyError(f"no measurement named {name!r}")


def register(engine) -> None:
    """Give an engine (``scripts/engines``) the description the SQL files read.

    The temporary table ``measurements`` (one row per measurement: ``position``,
    ``name``, ``label``, ``unit``, ``low``, ``high``, ``shift``, ``bin_width``,
    ``whole``), and the variables ``measurements`` (the tidy names, in order),
    ``decimal_measurements`` and ``whole_measurements`` (the same, split by how
    they are recorded), ``presence_columns`` and ``sum_columns`` (the has_<name>
    and with_<name> columns of ``measurement_passes``), ``measurements_by_name``, ``scatter_per_stratum``
    and ``training_per_stratum``.
    """
    import pandas as pd

    measurements = MEASUREMENTS
    table = pd.DataFrame(
        {
            "position": range(1, len(measurements) + 1),
            "name": [m.name for m in measurements],
            "label": [m.label for m in measurements],
            "unit": [m.unit for m in measurements],
            "low": [float(m.low) for m in measurements],
            "high": [float(m.high) for m in measurements],
            "shift": [float(m.shift) for m in measurements],
            "bin_width": [float(m.bin_width) for m in measurements],
            "whole": [m.whole for m in measurements],
        }
    )
    engine.register_table("measurements", table)
    settings = {
        "measurements": [m.name for m in measurements],
        "decimal_measurements": [m.name for m in measurements if not m.whole],
        "whole_measurements": [m.name for m in measurements if m.whole],
        # in name order: the order of the columns DuckDB's PIVOT makes (correlations.spark.sql)
        "measurements_by_name": sorted(m.name for m in measurements),
        # the columns of measurement_passes.sql that say which measurements a row has, and their sums
        "presence_columns": [f"has_{m.name}" for m in measurements],
        "sum_columns": [f"with_{m.name}" for m in measurements],
        "scatter_per_stratum": SCATTER_PER_STRATUM,
        "training_per_stratum": TRAINING_PER_STRATUM,
    }
    for name, value in settings.items():
        engine.set(name, value)
