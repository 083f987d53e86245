"""How to cite what a reader sees: a pre-render step.

    uv run python -m report.cite

From the board's last complete build, writes

- ``_citation.html``, every page's ``body-footer`` (``_quarto.yml``): "Cite this report"
  with the build id, its date, where that build's tables are, and the citation of the
  data (Gorman, Williams & Fraser 2014, and the LTER data packages' DOIs);
- and, for ``report.site_data`` after the render, ``CITATION.cff`` (Citation File Format
  1.2.0) and ``citation.bib`` (BibTeX) at the site's root, which the footer links.

The build id changes only with a build, and no page's executed output holds it, so a
citation never makes a page execute again. Every value is escaped for where it lands.
"""

from __future__ import annotations

import html
import sys
from pathlib import Path

FOOTER_FILE = "_citation.html"
# The data's own citation and the LTER's data packages (the palmerpenguins package gives them).
CITATION = (
    "Gorman KB, Williams TD, Fraser WR (2014). Ecological sexual dimorphism and environmental variability "
    "within a community of Antarctic penguins (genus Pygoscelis). PLoS ONE 9(3): e90081. "
    "https://doi.org/10.1371/journal.pone.0090081"
)
SOURCE_DOIS = {  # the LTER's data packages, as palmerpenguins cites them
    "Adelie": "https://doi.org/10.6073/pasta/abc50eed9138b75f54eaada0841b9b86",
    "Gentoo": "https://doi.org/10.6073/pasta/2b1cff60f81640f182433d23e68541ce",
    "Chinstrap": "https://doi.org/10.6073/pasta/409c808f8fc9899d02401bdb04580af7",
}
CFF_FILE = "CITATION.cff"
BIBTEX_FILE = "citation.bib"
TITLE = "Palmer penguins: a report on the Palmer Station LTER penguin observations"


def citation(manifest: dict, site_url: str | None) -> dict:
    """What every form of the citation says.

    >>> built = {"built_at": "2026-12-01T05:17:00Z", "source_hash": "e3853d24f713" + "0" * 52}
    >>> c = citation(built, "https://o.github.io/r")
    >>> c["build_id"], c["date"], c["tables"]
    ('2026-12-01T05:17:00Z e3853d24f713', '2026-12-01', 'https://o.github.io/r/data/index.json')
    """
    from scripts import attempts

    base = (site_url or "").rstrip("/")
    return {
        "title": TITLE,
        "build_id": attempts.build_id(manifest),
        "date": manifest["built_at"][:10],
        "url": f"{base}/" if base else None,
        "tables": f"{base}/data/index.json" if base else "data/index.json",
        "data": CITATION,
        "dois": SOURCE_DOIS,
    }


def footer(c: dict) -> str:
    """``_citation.html``: the citation as a reader reads it at the end of every page."""
    e = html.escape
    where = f", {e(c['url'])}" if c["url"] else ""
    dois = ", ".join(f'<a href="{e(doi)}">{e(species)}</a>' for species, doi in c["dois"].items())
    return (
        '<section class="report-cite" aria-labelledby="report-cite-title">\n'
        '<h2 id="report-cite-title" class="report-cite-title">Cite this report</h2>\n'
        f"<p>{e(c['title'])}, build {e(c['build_id'])} ({e(c['date'])}){where}. "
        f'Tables of this build: <a href="{e(c["tables"])}">{e(c["tables"])}</a>.</p>\n'
        f"<p>The data: {e(c['data'])}. Data packages of the Palmer Station LTER: {dois}.</p>\n"
        f'<p>As <a href="{CFF_FILE}" download>CITATION.cff</a> or '
        f'<a href="{BIBTEX_FILE}" download>BibTeX</a>.</p>\n'
        "</section>\n"
    )


def _yaml_text(value: str) -> str:
    """A YAML double-quoted scalar."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def cff(c: dict) -> str:
    """``CITATION.cff`` for this build."""
    lines = [
        "cff-version: 1.2.0",
        'message: "If you use these figures, cite this report and the data it is made from."',
        f"title: {_yaml_text(c['title'])}",
        "type: dataset",
        f"version: {_yaml_text(c['build_id'])}",
        f"date-released: {_yaml_text(c['date'])}",
        "authors:",
        '  - name: "Palmer penguins report (scheduled build)"',
    ]
    if c["url"]:
        lines.append(f"url: {_yaml_text(c['url'])}")
    lines += [
        "references:",
        "  - type: article",
        '    title: "Ecological sexual dimorphism and environmental variability within a community of Antarctic '
        'penguins (genus Pygoscelis)"',
        "    authors:",
        '      - family-names: "Gorman"',
        '        given-names: "Kristen B."',
        '      - family-names: "Williams"',
        '        given-names: "Tony D."',
        '      - family-names: "Fraser"',
        '        given-names: "William R."',
        '    journal: "PLoS ONE"',
        "    year: 2014",
        '    doi: "10.1371/journal.pone.0090081"',
    ]
    return "\n".join(lines) + "\n"


def bibtex(c: dict) -> str:
    """``citation.bib``: this build, then the article the data comes with."""

    def braced(value: str) -> str:
        return "{" + value.replace("{", "").replace("}", "").replace("\\", "") + "}"

    url = f",\n  url = {braced(c['url'])}" if c["url"] else ""
    return (
        f"@misc{{palmer_penguins_report_{c['date'].replace('-', '')},\n"
        f"  title = {braced(c['title'])},\n  note = {braced('build ' + c['build_id'])},\n"
        f"  year = {braced(c['date'][:4])}{url}\n}}\n\n"
        "@article{gorman2014,\n"
        "  author = {Gorman, Kristen B. and Williams, Tony D. and Fraser, William R.},\n"
        "  title = {Ecological sexual dimorphism and environmental variability within a community of Antarctic "
        "penguins (genus Pygoscelis)},\n"
        "  journal = {PLoS ONE}, volume = {9}, number = {3}, pages = {e90081}, year = {2014},\n"
        "  doi = {10.1371/journal.pone.0090081}\n}\n"
    )


def main(argv: list[str] | None = None) -> int:
    from report.status import site_url
    from scripts import config
    from scripts.board_read import last_build
    from scripts.errors import BuildError

    root = Path.cwd()
    try:
        _, manifest = last_build(config.get_board())
        c = citation(manifest, site_url(root))
    except BuildError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    partial = root / (FOOTER_FILE + ".partial")
    partial.write_text(footer(c))
    partial.replace(root / FOOTER_FILE)
    print(f"[cite] build {c['build_id']}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
