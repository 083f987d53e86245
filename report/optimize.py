"""Pages that show at once: a post-render step over the pages Quarto has just written.

    uv run python -m report.optimize [PAGE.html ...]

Without arguments it takes the pages of this render (``QUARTO_PROJECT_OUTPUT_FILES``,
which Quarto sets for post-render steps) or, run by hand, every page in ``_site/``.
For each page, in its own HTML (written whole, or not at all):

- **No stylesheet blocks the first paint.** Each stylesheet ``<head>`` links (Bootstrap
  with ``theme.scss``, the syntax and tooltip styles) is inlined, cut to the rules whose
  selectors can match that page: the classes and ids in its HTML, plus every word the
  page's scripts quote (the classes they add as the reader scrolls or opens the menu).
  A selector is kept unless it names a class or id neither has, so a doubt keeps the
  rule. About 10 % of Bootstrap's rules are used by any one page.
- **The icon font's stylesheet is dropped** when the page shows no icon of it (a ``bi-…``
  class): the code-copy button's ``bi`` draws its icon from a data URI in the theme.
- **Scripts wait for the page**: the classic scripts in ``<head>`` are deferred, which
  keeps their order; Quarto's own page script already waits for ``DOMContentLoaded``.
- **Figures have a size**: an SVG figure gets the ``width`` and ``height`` its file
  declares (no shift when it arrives), and every figure after the page's first loads lazily.
- **The navbar toggler is a button**: Quarto marks it ``role="menu"``, which a button
  that opens a menu is not (axe ``aria-allowed-role``).

A page this step has already been over is left as it is (``quarto preview`` runs it
after each save, on the page just rendered); a page it was not run on works as Quarto
wrote it, only slower to show.
"""

from __future__ import annotations

import html
import os
import re
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import NamedTuple

SITE = Path("_site")
MARK = '<meta name="report-optimized" content="1">'
_LINK = re.compile(r'<link\b[^>]*\brel="stylesheet"[^>]*>\n?')
_SCRIPT = re.compile(r'<script\b([^>]*)\bsrc="([^"]+)"([^>]*)></script>')
_INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S)
_IMG = re.compile(r"<img\b[^>]*>")
_QUOTED = re.compile(r"""(["'`])((?:\\.|(?!\1)[^\\\n]){1,400})\1""")
_WORD = re.compile(r"-?[A-Za-z_][\w-]*")
_LENGTH = re.compile(r"\s*([0-9.]+)\s*(px|pt)?\s*$")
_TOGGLER = re.compile(r'(<button\b[^>]*\bclass="navbar-toggler"[^>]*?)\s+role="menu"')


class _Names(HTMLParser):
    """The classes and ids a page's HTML uses, and the text of its inline scripts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.classes: set[str] = set()
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name == "class" and value:
                self.classes.update(value.split())
            elif name == "id" and value:
                self.ids.add(value)


def page_names(page_html: str) -> tuple[set[str], set[str]]:
    """``(classes, ids)`` in a page's HTML.

    >>> classes, ids = page_names('<div class="a b" id="x"><p class="c">t</p></div>')
    >>> sorted(classes), ids
    (['a', 'b', 'c'], {'x'})
    """
    parser = _Names()
    parser.feed(page_html)
    parser.close()
    return parser.classes, parser.ids


def quoted_words(script: str) -> set[str]:
    """Every word inside a quoted string of a script: the class names it may set.

    >>> sorted(quoted_words('e.classList.add("show"); x = `nav-${y} collapsing`; a="b-c d"'))
    ['b-c', 'collapsing', 'd', 'nav-', 'show', 'y']
    """
    return {word for match in _QUOTED.finditer(script) for word in _WORD.findall(match.group(2))}


def _split_selectors(prelude: list) -> list[list]:
    """A rule's selector list split at its top-level commas (tinycss2 tokens)."""
    selectors: list[list] = [[]]
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            selectors.append([])
        else:
            selectors[-1].append(token)
    return [selector for selector in selectors if any(t.type not in ("whitespace", "comment") for t in selector)]


def _needs(selector: list) -> tuple[set[str], set[str]]:
    """The classes and ids a compound selector requires (what is inside ``:not()``, ``:is()``… is not)."""
    classes: set[str] = set()
    ids: set[str] = set()
    for before, token in zip([None, *selector], selector, strict=False):
        if token.type == "ident" and before is not None and before.type == "literal" and before.value == ".":
            classes.add(token.value)
        elif token.type == "hash" and token.is_identifier:
            ids.add(token.value)
    return classes, ids


class _Rule(NamedTuple):
    prelude: str
    declarations: list


class _Block(NamedTuple):
    head: str
    rules: list


def _cut_rules(rules: list, classes: set[str], ids: set[str]) -> list:
    """The rules that can match: a ``_Rule``, a ``_Block`` of them, or text kept whole.

    A selector that needs a class or id the page lacks goes, and a rule with no selector left.
    """
    import tinycss2

    kept: list = []
    for rule in rules:
        if rule.type == "qualified-rule":
            selectors = []
            for selector in _split_selectors(rule.prelude):
                needed_classes, needed_ids = _needs(selector)
                if needed_classes <= classes and needed_ids <= ids:
                    selectors.append(tinycss2.serialize(selector).strip())
            if selectors:
                declarations = tinycss2.parse_blocks_contents(rule.content, skip_comments=True, skip_whitespace=True)
                kept.append(_Rule(",".join(selectors), declarations))
        elif rule.type == "at-rule":
            head = f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude)}"
            if rule.content is None:
                kept.append(head + ";")
            elif rule.lower_at_keyword in ("media", "supports", "layer", "container", "document"):
                inner = _cut_rules(
                    tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True), classes, ids
                )
                if inner:
                    kept.append(_Block(head, inner))
            else:  # @keyframes, @font-face, @page: kept whole
                kept.append(f"{head}{{{tinycss2.serialize(rule.content)}}}")
    return kept


_VAR = re.compile(r"var\(\s*(--[\w-]+)")


def _declarations(kept: list):
    """Every declaration of the kept rules, nested ones included."""
    for item in kept:
        if isinstance(item, _Block):
            yield from _declarations(item.rules)
        elif isinstance(item, _Rule):
            yield from (d for d in item.declarations if d.type == "declaration")


def _used_properties(kept: list, scripts_use: set[str]) -> set[str]:
    """The custom properties something reads: a property, a script, or a custom property that is read."""
    import tinycss2

    reads: dict[str, set[str]] = {}
    wanted = set(scripts_use)
    for declaration in _declarations(kept):
        used = set(_VAR.findall(tinycss2.serialize(declaration.value)))
        if declaration.name.startswith("--"):
            reads.setdefault(declaration.name, set()).update(used)
        else:
            wanted |= used
    pending = list(wanted)
    while pending:
        for name in reads.get(pending.pop(), ()):
            if name not in wanted:
                wanted.add(name)
                pending.append(name)
    return wanted


def _serialize(kept: list, properties: set[str]) -> str:
    import tinycss2

    out = []
    for item in kept:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, _Block):
            inner = _serialize(item.rules, properties)
            if inner:
                out.append(f"{item.head}{{{inner}}}")
        else:
            declarations = [
                f"{d.name}:{tinycss2.serialize(d.value).strip()}{' !important' if d.important else ''}"
                for d in item.declarations
                if d.type == "declaration" and (not d.name.startswith("--") or d.name in properties)
            ]
            if declarations:
                out.append(f"{item.prelude}{{{';'.join(declarations)}}}")
    return "".join(out)


def cut_stylesheet(css: str, classes: set[str], ids: set[str], properties: set[str] = frozenset()) -> str:
    """A stylesheet cut to the rules whose selectors need only these classes and ids, and
    to the custom properties that something reads (a kept rule, or a script: ``properties``).

    >>> cut_stylesheet(".a{color:red}.b,.a>p{margin:0}@media (min-width:1px){.c{x:1}#i .a{y:2}}", {"a"}, {"i"})
    '.a{color:red}.a>p{margin:0}@media (min-width:1px){#i .a{y:2}}'
    >>> cut_stylesheet(":root{--a:1;--b:var(--c);--c:2;--d:3}.x{w:var(--b)}", {"x"}, set())
    ':root{--b:var(--c);--c:2}.x{w:var(--b)}'
    """
    import tinycss2

    kept = _cut_rules(tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True), classes, ids)
    return _serialize(kept, _used_properties(kept, set(properties)))


def _attribute(tag: str, name: str) -> str | None:
    found = re.search(rf'\b{name}="([^"]*)"', tag)
    return html.unescape(found.group(1)) if found else None


def _local(page: Path, reference: str) -> Path | None:
    """The file a page's relative reference names (None for another origin or a data URI)."""
    if re.match(r"^[a-z][a-z0-9+.-]*:|^//", reference, re.I):
        return None
    path = (page.parent / reference.split("?")[0].split("#")[0]).resolve()
    return path if path.is_file() else None


def _relative_urls(css: str) -> bool:
    """Whether a stylesheet names a file by a relative URL (it could not move into a page)."""
    return any(
        not re.match(r"^['\"]?\s*(data:|[a-z][a-z0-9+.-]*:|/|#)", url, re.I)
        for url in re.findall(r"url\(\s*([^)]*)\)", css)
    )


def svg_size(svg: str) -> tuple[int, int] | None:
    """The CSS pixel size an SVG declares (``width``/``height`` in px or pt, else its viewBox).

    >>> svg_size('<svg width="540pt" height="216pt" viewBox="0 0 540 216">')
    (720, 288)
    >>> svg_size('<svg viewBox="0 0 300 150">'), svg_size("<svg>")
    ((300, 150), None)
    """
    found = re.search(r"<svg\b[^>]*>", svg)
    if not found:
        return None
    tag = found.group(0)
    sizes = []
    for name in ("width", "height"):
        value = re.search(rf'\s{name}="([^"]*)"', tag)
        length = _LENGTH.match(value.group(1)) if value else None
        if not length:
            sizes = []
            break
        sizes.append(round(float(length.group(1)) * (4 / 3 if length.group(2) == "pt" else 1)))
    if len(sizes) == 2:
        return sizes[0], sizes[1]
    box = re.search(r'\sviewBox="\s*[-0-9.]+[ ,]+[-0-9.]+[ ,]+([0-9.]+)[ ,]+([0-9.]+)\s*"', tag)
    return (round(float(box.group(1))), round(float(box.group(2)))) if box else None


def _sized_images(page: Path, body: str) -> str:
    """Each ``<img>`` with the size its SVG declares, and ``loading="lazy"`` after the first."""
    seen = 0

    def one(match: re.Match) -> str:
        nonlocal seen
        tag = match.group(0)
        seen += 1
        source = _attribute(tag, "src") or ""
        extra = ""
        if " width=" not in tag and " height=" not in tag and source.lower().endswith(".svg"):
            path = _local(page, source)
            size = svg_size(path.read_text(errors="replace")[:4000]) if path else None
            if size:
                extra += f' width="{size[0]}" height="{size[1]}"'
        if seen > 1 and " loading=" not in tag:
            extra += ' loading="lazy"'
        return tag[:-1].rstrip("/").rstrip() + extra + ">" if extra else tag

    return _IMG.sub(one, body)


def optimize(page: Path, text: str) -> str:
    """A page's HTML as it ships (see the module's docstring); a page already done is returned unchanged."""
    if MARK in text or "</head>" not in text:
        return text
    head, body = text.split("</head>", 1)
    classes, ids = page_names(body)
    scripts = [match.group(1) for match in _INLINE_SCRIPT.finditer(text)]
    for match in _SCRIPT.finditer(text):
        path = _local(page, html.unescape(match.group(2)))
        if path and path.suffix in (".js", ".mjs"):
            scripts.append(path.read_text(errors="replace"))
    words = set().union(*(quoted_words(script) for script in scripts))
    properties = {name for script in scripts for name in re.findall(r"--[A-Za-z_][\w-]*", script)}
    uses_icons = any(name.startswith("bi-") for name in classes)

    def stylesheet(match: re.Match) -> str:
        tag = match.group(0)
        reference = _attribute(tag, "href") or ""
        path = _local(page, reference)
        if path is None or _attribute(tag, "media") not in (None, "all", "screen"):
            return tag
        if path.name.startswith("bootstrap-icons") and not uses_icons:
            return ""
        css = path.read_text()
        if _relative_urls(css):
            return tag
        keep = "".join(
            f' {name}="{html.escape(value)}"' for name in ("id", "data-mode") if (value := _attribute(tag, name))
        )
        cut = cut_stylesheet(css, classes | words, ids | words, properties).replace("</style", "<\\/style")
        return f"<style{keep}>{cut}</style>\n"

    def deferred(match: re.Match) -> str:
        before, source, after = match.groups()
        if re.search(r"\b(defer|async)\b|type=\"module\"", before + after):
            return match.group(0)
        return f'<script{before}src="{source}"{after} defer></script>'

    head = _LINK.sub(stylesheet, head)
    head = _SCRIPT.sub(deferred, head)
    head = head.replace("<head>", f"<head>\n{MARK}", 1)
    body = _TOGGLER.sub(r"\1", body)
    body = _sized_images(page, body)
    return f"{head}</head>{body}"


def pages(argv: list[str]) -> list[Path]:
    """The pages to go over: the arguments, this render's outputs, or every page of the site."""
    if argv:
        return [Path(name) for name in argv]
    outputs = os.environ.get("QUARTO_PROJECT_OUTPUT_FILES", "").strip()
    if outputs:
        return [Path(name) for name in outputs.splitlines() if name.endswith(".html")]
    return sorted(SITE.glob("**/*.html"))


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    for page in pages(argv):
        try:
            text = page.read_text()
        except OSError as error:
            print(f"error: cannot read the rendered page {page}: {error.strerror}", file=sys.stderr)
            return 2
        shipped = optimize(page, text)
        if shipped == text:
            continue
        partial = page.with_name(page.name + ".partial")
        partial.write_text(shipped)
        partial.replace(page)
        print(
            f"[optimize] {page}: {len(text.encode()) // 1024} KB → {len(shipped.encode()) // 1024} KB", file=sys.stderr
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
