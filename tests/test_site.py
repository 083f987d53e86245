"""The site's configuration and theme: self-contained, crisp, accessible (no Quarto needed)."""

from __future__ import annotations

import re

import yaml

from scripts import config
from tests.helpers import foreign_resources

SITE = yaml.safe_load((config.PROJECT_ROOT / "_quarto.yml").read_text())
HTML = SITE["format"]["html"]
THEME = (config.PROJECT_ROOT / "theme.scss").read_text()


def scss_colour(name: str) -> str:
    return re.search(rf"^\${name}:\s*(#[0-9a-fA-F]{{6}})\s*;", THEME, re.M).group(1)


def luminance(colour: str) -> float:
    """WCAG 2 relative luminance of an sRGB colour ``#rrggbb``."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two colours (1 to 21)."""
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_is_computed_as_wcag_defines_it():
    assert round(contrast("#000000", "#ffffff"), 1) == 21.0
    assert round(contrast("#777777", "#ffffff"), 2) == 4.48  # the classic just-failing grey


def test_text_and_links_pass_wcag_aa_on_their_backgrounds():
    pairs = [
        ("link-color", "body-bg"),
        ("body-color", "body-bg"),
        ("navbar-fg", "navbar-bg"),
        ("footer-fg", "footer-bg"),
    ]
    for fg, bg in pairs:
        ratio = contrast(scss_colour(fg), scss_colour(bg))
        assert ratio >= 4.5, f"${fg} on ${bg}: {ratio:.2f}:1, below WCAG AA (4.5:1)"


def test_one_theme_without_web_fonts():
    # flatly and darkly fetch Lato from Google Fonts and load a second stylesheet in the head
    assert HTML["theme"] == ["default", "theme.scss"]
    assert "@import" not in THEME and not foreign_resources(THEME)
    assert "font-family-sans-serif" in THEME and "system-ui" in THEME


def test_the_site_has_a_favicon_and_svg_figures():
    favicon = config.PROJECT_ROOT / SITE["website"]["favicon"]
    assert favicon.suffix == ".svg" and favicon.is_file()
    assert "<svg" in favicon.read_text() and not foreign_resources(favicon.read_text())
    assert HTML["fig-format"] == "svg"
    assert "code-tools" not in HTML  # the source of every page is in the repository
    assert SITE["website"]["search"] is False  # five pages in the navbar; search drew the icon web font


def test_the_configuration_names_no_resource_on_another_origin():
    text = (config.PROJECT_ROOT / "_quarto.yml").read_text()
    assert not re.search(r"https?://", text)
