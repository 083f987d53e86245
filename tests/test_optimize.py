"""Pages that show at once (``report/optimize.py``): each page's stylesheets inlined and cut to
what it uses, head scripts deferred, figures sized; on a small page laid out as Quarto writes one."""

from __future__ import annotations

import pytest

from report import optimize

BOOTSTRAP = """:root{--bs-blue:#0d6efd;--bs-unused:1px;--bs-link-color:var(--bs-blue)}
body{margin:0;color:#222}
.navbar{display:flex}.navbar .collapse{display:none}.collapse.show{display:block}
.carousel{overflow:hidden}.carousel-item.active{display:block}
#quarto-header{position:sticky}#quarto-unused{color:red}
a{color:var(--bs-link-color)}
@media (min-width:992px){.navbar-expand-lg{flex-wrap:nowrap}.offcanvas{width:20rem}}
@keyframes spin{to{transform:rotate(360deg)}}
.table>:not(caption)>*>*{padding:.5rem}
"""

PAGE = """<!DOCTYPE html>
<html lang="en"><head>
<meta charset="utf-8">
<title>Page</title>
<script src="site_libs/quarto-nav/quarto-nav.js"></script>
<script src="site_libs/clipboard/clipboard.min.js" async></script>
<link href="site_libs/bootstrap/bootstrap-icons.css" rel="stylesheet">
<link href="site_libs/bootstrap/bootstrap.min.css" rel="stylesheet" id="quarto-bootstrap" data-mode="light">
<link href="site_libs/print.css" rel="stylesheet" media="print">
</head>
<body>
<header id="quarto-header"><nav class="navbar navbar-expand-lg">
<button class="navbar-toggler" type="button" role="menu" aria-expanded="false">menu</button>
<div class="collapse" id="nav"></div></nav></header>
<main><table class="table"><tr><td>1</td></tr></table>
<p><img src="figure-1.svg" class="img-fluid" alt="one"></p>
<p><img src="figure-2.svg" class="img-fluid" alt="two"></p>
<p><img src="photo.png" alt="three"></p></main>
<script>document.getElementById("nav").classList.toggle("show");</script>
</body></html>
"""


@pytest.fixture
def page(tmp_path):
    libs = tmp_path / "site_libs"
    (libs / "bootstrap").mkdir(parents=True)
    (libs / "quarto-nav").mkdir()
    (libs / "clipboard").mkdir()
    (libs / "bootstrap" / "bootstrap.min.css").write_text(BOOTSTRAP)
    (libs / "bootstrap" / "bootstrap-icons.css").write_text(".bi-search::before{content:'x'}")
    (libs / "print.css").write_text("body{color:black}")
    (libs / "quarto-nav" / "quarto-nav.js").write_text('el.classList.add("headroom--pinned");')
    (libs / "clipboard" / "clipboard.min.js").write_text("")
    (tmp_path / "figure-1.svg").write_text(
        '<?xml version="1.0"?>\n<svg width="540pt" height="216pt" viewBox="0 0 540 216">'
    )
    (tmp_path / "figure-2.svg").write_text('<svg viewBox="0 0 300 150"></svg>')
    path = tmp_path / "page.html"
    path.write_text(PAGE)
    return path


def test_the_stylesheet_is_inlined_and_cut_to_what_the_page_uses(page):
    shipped = optimize.optimize(page, page.read_text())
    head = shipped.split("</head>")[0]

    assert 'rel="stylesheet" media="print"' in head  # a print stylesheet does not block the first paint
    assert "bootstrap.min.css" not in head and "bootstrap-icons" not in head  # no icon on the page
    style = head.split('<style id="quarto-bootstrap" data-mode="light">', 1)[1].split("</style>", 1)[0]
    assert style == (
        ":root{--bs-blue:#0d6efd;--bs-link-color:var(--bs-blue)}"
        "body{margin:0;color:#222}"
        ".navbar{display:flex}.navbar .collapse{display:none}.collapse.show{display:block}"  # "show": the script's
        "#quarto-header{position:sticky}"
        "a{color:var(--bs-link-color)}"
        "@media (min-width:992px){.navbar-expand-lg{flex-wrap:nowrap}}"
        "@keyframes spin{to{transform:rotate(360deg)}}"
        ".table>:not(caption)>*>*{padding:.5rem}"
    )


def test_scripts_wait_figures_have_a_size_and_the_toggler_is_a_button(page):
    shipped = optimize.optimize(page, page.read_text())

    assert '<script src="site_libs/quarto-nav/quarto-nav.js" defer></script>' in shipped
    assert '<script src="site_libs/clipboard/clipboard.min.js" async></script>' in shipped  # left as it is
    assert '<img src="figure-1.svg" class="img-fluid" alt="one" width="720" height="288">' in shipped
    assert '<img src="figure-2.svg" class="img-fluid" alt="two" width="300" height="150" loading="lazy">' in shipped
    assert '<img src="photo.png" alt="three" loading="lazy">' in shipped  # no size to read from a PNG here
    assert 'role="menu"' not in shipped and '<button class="navbar-toggler" type="button" aria-expanded' in shipped


def test_the_icon_stylesheet_stays_where_a_page_shows_an_icon(page):
    text = page.read_text().replace('alt="one"', 'alt="one"><i class="bi bi-search"></i')
    shipped = optimize.optimize(page, text)
    assert '<style>.bi-search::before{content:"x"}</style>' in shipped


def test_a_stylesheet_with_relative_urls_or_on_another_origin_stays_linked(page):
    (page.parent / "site_libs" / "bootstrap" / "bootstrap-icons.css").write_text(
        '@font-face{src:url("./fonts/bootstrap-icons.woff2")}.bi-search::before{content:"x"}'
    )
    text = page.read_text().replace('alt="one"', 'alt="one"><i class="bi-search"></i')
    text = text.replace("</head>", '<link href="https://example.org/x.css" rel="stylesheet">\n</head>')
    shipped = optimize.optimize(page, text)
    assert '<link href="site_libs/bootstrap/bootstrap-icons.css" rel="stylesheet">' in shipped
    assert '<link href="https://example.org/x.css" rel="stylesheet">' in shipped


def test_the_command_writes_each_page_once_and_says_what_it_saved(page, capsys):
    assert optimize.main([str(page)]) == 0
    once = page.read_text()
    assert once.count(optimize.MARK) == 1 and "[optimize]" in capsys.readouterr().err

    assert optimize.main([str(page)]) == 0  # a page already done is left as it is
    assert page.read_text() == once and capsys.readouterr().err == ""
    assert not list(page.parent.glob("*.partial"))


def test_a_missing_page_is_a_message_not_a_traceback(tmp_path, capsys):
    assert optimize.main([str(tmp_path / "gone.html")]) == 2
    assert f"error: cannot read the rendered page {tmp_path / 'gone.html'}: No such file or directory" in (
        capsys.readouterr().err
    )


def test_the_pages_are_this_renders_outputs(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "_site").mkdir()
    (tmp_path / "_site" / "a.html").write_text("")
    monkeypatch.setenv("QUARTO_PROJECT_OUTPUT_FILES", "_site/eda.html\n_site/eda_files/x.svg\n")
    assert optimize.pages([]) == [optimize.Path("_site/eda.html")]
    monkeypatch.delenv("QUARTO_PROJECT_OUTPUT_FILES")
    assert optimize.pages([]) == [optimize.Path("_site/a.html")]
