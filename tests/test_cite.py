"""How to cite a build (``report/cite.py``): the footer every page ends with, CITATION.cff and BibTeX."""

from __future__ import annotations

import yaml

from report import cite

MANIFEST = {"built_at": "2026-12-01T05:17:00Z", "source_hash": "e3853d24f713" + "0" * 52}


def test_the_footer_names_the_build_its_tables_and_the_data():
    c = cite.citation(MANIFEST, "https://owner.github.io/repo/")
    text = cite.footer(c)
    assert "Cite this report" in text
    assert "build 2026-12-01T05:17:00Z e3853d24f713 (2026-12-01), https://owner.github.io/repo/. Tables" in text
    assert '<a href="https://owner.github.io/repo/data/index.json">' in text
    assert "Gorman KB, Williams TD, Fraser WR (2014)" in text
    assert "10.6073/pasta/abc50eed9138b75f54eaada0841b9b86" in text
    assert '<a href="CITATION.cff" download>' in text and '<a href="citation.bib" download>' in text


def test_citation_files_parse_and_say_the_build():
    c = cite.citation(MANIFEST, None)
    found = yaml.safe_load(cite.cff(c))
    assert found["cff-version"] == "1.2.0" and found["version"] == "2026-12-01T05:17:00Z e3853d24f713"
    assert found["date-released"] == "2026-12-01" and "url" not in found
    assert found["references"][0]["doi"] == "10.1371/journal.pone.0090081"
    bib = cite.bibtex(c)
    assert bib.startswith("@misc{palmer_penguins_report_20261201,") and "note = {build 2026-12-01T05:17:00Z" in bib
    assert bib.count("{") == bib.count("}") and "@article{gorman2014," in bib


def test_a_site_address_with_markup_stays_text():
    c = cite.citation(MANIFEST, 'https://x.example/"><script>alert(1)</script>')
    assert "<script>" not in cite.footer(c)
    assert yaml.safe_load(cite.cff(c))["url"].endswith("</script>/")
