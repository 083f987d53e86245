"""The figures' shared style: colours, labels, resolution, and the drawings more than one page makes."""

from __future__ import annotations

from report.reading import MEASUREMENT_LABELS

# A scatter of more points than this is drawn as a raster layer inside its SVG
# (a vector point each would make the page heavy); fewer stay vector.
VECTOR_POINTS = 1000
# Figures are SVG; the few raster layers in them (a dense scatter) are drawn at this
# resolution, twice the 96 dpi of a plain screen (as _quarto.yml's fig-dpi).
FIGURE_DPI = 192
# The seed of the figures' random jitter (``use_figure_style``).
FIGURE_SEED = 0
SPECIES_COLORS = {"Adelie": "#d95f02", "Chinstrap": "#7570b3", "Gentoo": "#1b9e77"}


def use_figure_style() -> None:
    """One look for every figure: SVG (crisp at any density, its size declared), white
    background, readable in light and dark themes; raster layers (a dense scatter) at 2x."""
    import matplotlib as mpl
    import numpy as np
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
    # seaborn's strip plots jitter their dots with numpy's global generator: seeded, the
    # same pins draw the same figure on every render (and the SVG ids are fixed too)
    np.random.seed(FIGURE_SEED)
    mpl.rcParams["svg.hashsalt"] = "palmer-penguins"


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


def value_range(frame, columns) -> tuple[float, float]:
    """The smallest and largest value over ``columns`` of ``frame`` (a diagonal's ends)."""
    values = frame[list(columns)]
    return float(values.min().min()), float(values.max().max())


def rasterize(frame) -> bool:
    """Whether a scatter of ``frame``'s rows is drawn as a raster layer (more than
    ``VECTOR_POINTS`` points) rather than a vector point each."""
    return len(frame) > VECTOR_POINTS
