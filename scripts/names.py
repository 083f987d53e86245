"""The names of the pins, shared by the build that writes them and the pages and API that read them.

A module of names only, so that a page or the API can import it without the build.
"""

from __future__ import annotations

# The tidy table, every row (never read by the pages: it grows with the raw data).
TIDY_PIN = "penguins"
# The vetiver model the API serves.
MODEL_PIN = "penguin_model"
# The versions of every pin of the last complete build, and its provenance.
MANIFEST = "build_manifest"
# One row per complete build, and this build against the one before.
HISTORY_PIN = "build_history"
CHANGES_PIN = "changes"

# What each pin holds, in a reader's words: the Data page shows these, and pins
# keeps them as each pin's description. How a table is computed stays in the
# comments of the SQL file named like it (scripts/sql/summaries/) and in docs/.
DESCRIPTIONS = {
    TIDY_PIN: "Every penguin observed, one row each, as the palmerpenguins package publishes them, with the "
    "study and sample number that identify each one.",
    "overview": "The headline numbers: how many penguins, species, islands and breeding seasons.",
    "species_island_year_counts": "How many penguins of each species were observed on each island in each year.",
    "species_islands": "The islands each species was seen on, and how many penguins of it.",
    "measurement_stats": "Count, mean, spread and quartiles of each measurement, by species and sex.",
    "histograms": "How many penguins fall in each range of each measurement, by species and sex.",
    "correlations": "How strongly each pair of measurements goes together, for all penguins and within each species.",
    "missing_values": "How many values are missing in each column.",
    "measurements_by_year": "The average and spread of each measurement, by species and year.",
    "bill_trends": "The straight line that best relates bill depth to bill length, for all penguins and within "
    "each species.",
    "scatter_sample": "A sample of penguins from every species, island and sex, for the scatter plots.",
    "model_cv_metrics": "How far off each candidate model's predictions were in each round of cross-validation.",
    "model_test_metrics": "How far off each candidate model was on penguins held out from training; the chosen "
    "one is marked.",
    "model_test_predictions": "The chosen model's predicted body mass next to the actual one, for the held-out "
    "penguins.",
    "model_importance": "How much worse the predictions get when each input is scrambled: what the model relies on.",
    "model_coefficients": "The grams each input adds to the prediction in the linear models.",
    HISTORY_PIN: "Every build of this report: when, from which data and code, how many penguins, and how well "
    "the model did.",
    CHANGES_PIN: "What changed since the build before: penguins added, removed or corrected, the averages that "
    "moved, and the model's accuracy then and now.",
    MANIFEST: "Which version of every table belongs to the last complete build, and where its data came from.",
}
