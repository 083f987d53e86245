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
