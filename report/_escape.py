r"""Data is text: every value a page prints is escaped for where it lands.

The upstream data is not ours, and the pins hold whatever it held: a study name
may carry HTML, Markdown, a Quarto shortcode (``{{< env SECRET >}}`` would print the
render's environment) or a bidi override. The gate stops values without an
identifier's shape, and this module is the second line: every value reaches a
page through one of these helpers, which return IPython ``Markdown`` objects
(Quarto writes their text as Markdown, in a cell's output or an inline expression).

- ``text(value)``: a value as Markdown text (``escape_markdown``);
- ``md(template, **values)``: a sentence whose ``template`` is ours, written in
  Markdown, and whose string values are escaped (numbers are formatted as the
  template says; a ``Markdown`` value, from these helpers, is kept as it is);
- ``bullets(items)``: a Markdown list, each item escaped;
- ``code(value)`` and ``code_block(text, language)``: code, as code spans and
  fences where the text is plain, as raw HTML with entities where it is not
  (Quarto expands shortcodes inside code too);
- ``html_block(html)``: a raw HTML block (a table), with every brace written as
  an entity, so no shortcode in it is live.

Figure text is literal without a helper: ``report.use_figure_style`` turns off
matplotlib's ``$…$`` mathtext, and SVG text is XML-escaped.

>>> print(escape_markdown("<img src=x onerror=alert(1)> {{< env HOME >}}"))
\<img src\=x onerror\=alert\(1\)\> \{\{\< env HOME \>\}\}
>>> print(escape_markdown("two\nlines\u202e"))
two\\nlines\\u202e
>>> print(md("**{n:,}** penguins on {island}", n=1234, island="*Dream*").data)
**1,234** penguins on \*Dream\*
"""

from __future__ import annotations

import html
import re
import string
import unicodedata
from numbers import Number

# Characters that are never shown as themselves: controls (a line break too),
# format characters (bidi overrides, zero-width joiners), line and paragraph
# separators, unassigned and private code points.
_INVISIBLE = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
# Every ASCII punctuation mark has a meaning somewhere in Pandoc's Markdown (and
# Quarto's: shortcodes, cross-references, inline code); a backslash makes each one
# literal. The comma has none, and numbers read better with theirs.
_MARKDOWN_PUNCTUATION = re.compile(r"""([!"#$%&'()*+\-./:;<=>?@\[\\\]^_`{|}~])""")
# A value that may stay a code span: letters, digits and a few marks that are never markup.
_PLAIN_CODE = re.compile(r"[A-Za-z0-9 ._:/+=@,-]*")
# What makes a code block raw HTML instead: a shortcode delimiter, or anything invisible.
_LIVE_IN_CODE = re.compile(r"\{\{[<%]|[<%]\}\}")


def visible(value) -> str:
    r"""``value`` as text with every invisible character written as its escape (``\n``, ``\u202e``).

    >>> visible("PAL0708\r\n\u202eA")
    'PAL0708\\r\\n\\u202eA'
    """
    return "".join(
        ch.encode("unicode_escape").decode("ascii") if unicodedata.category(ch) in _INVISIBLE else ch
        for ch in str(value)
    )


def escape_markdown(value) -> str:
    """``value`` as Markdown that reads as exactly that text: invisible characters
    written as escapes, every ASCII punctuation mark but the comma backslash-escaped."""
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", visible(value))


def escape_html(value) -> str:
    """``value`` as HTML text or attribute value: ``& < > " '`` as entities, braces,
    backticks and dollars too (no shortcode, code span or math delimiter), invisible
    characters as escapes.

    >>> escape_html("{{< meta title >}} & `x`")
    '&#123;&#123;&lt; meta title &gt;&#125;&#125; &amp; &#96;x&#96;'
    """
    escaped = html.escape(visible(value), quote=True)
    return escaped.translate({ord("{"): "&#123;", ord("}"): "&#125;", ord("`"): "&#96;", ord("$"): "&#36;"})


def _markdown(text: str):
    from IPython.display import Markdown

    return Markdown(text)


def text(value):
    """A value as Markdown text, for an inline expression or a cell's output."""
    return _markdown(escape_markdown(value))


class _Escaping(string.Formatter):
    """``str.format`` that escapes string values (``md``)."""

    def format_field(self, value, format_spec: str) -> str:
        if hasattr(value, "_repr_markdown_"):  # made by these helpers: already Markdown
            return value._repr_markdown_()
        if isinstance(value, Number) and not isinstance(value, bool):
            return format(value, format_spec)  # digits, signs and separators: text as they are
        return escape_markdown(format(value, format_spec))


def md(template: str, *args, **values):
    """``template`` (our Markdown) with its fields filled in: strings escaped, numbers
    formatted, Markdown from these helpers as it is."""
    return _markdown(_Escaping().format(template, *args, **values))


def join(parts, separator: str = ""):
    """Markdown pieces (from these helpers) joined by ``separator`` (ours, Markdown)."""
    return _markdown(separator.join(p._repr_markdown_() for p in parts))


def bullets(items):
    """A Markdown list, one item per value, each escaped (or kept, when it is Markdown from these helpers)."""
    return _markdown("".join(md("- {}\n", item).data for item in items))


def code(value):
    """``value`` as inline code (a hash, a version, a pin name)."""
    value = str(value)
    if _PLAIN_CODE.fullmatch(value):
        return _markdown(f"`{value}`")
    return _markdown(f"`<code>{escape_html(value)}</code>`{{=html}}")


def code_block(text: str, language: str):
    """``text`` as a code block in ``language`` (a fence longer than any backtick run in it);
    as raw HTML with entities when it holds a shortcode delimiter (Quarto expands
    shortcodes in code blocks too) or an invisible character."""
    if not _LIVE_IN_CODE.search(text) and visible(text.replace("\n", "")) == text.replace("\n", ""):
        fence = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", text)), default=0))
        return _markdown(f"{fence}{language}\n{text}\n{fence}\n")
    return html_block(f'<pre class="sourceCode {language}"><code>{escape_html(text)}</code></pre>')


def html_block(markup: str):
    """Trusted HTML ``markup`` (a table made by great_tables, whose text it escapes) as a
    raw block of Markdown output, with every brace outside its ``<style>`` written as an
    entity (Quarto expands shortcodes in raw blocks too) and nothing invisible left.

    A fence longer than any run of backticks inside, as Quarto writes it (``ticksForCode``).
    """
    parts = re.split(r"(<style\b.*?</style>)", markup, flags=re.S | re.I)
    for i in range(0, len(parts), 2):  # the parts outside <style>
        shown = parts[i].translate({ord("{"): "&#123;", ord("}"): "&#125;"})
        parts[i] = "".join(
            ch
            if ch in "\n\t" or unicodedata.category(ch) not in _INVISIBLE
            else ch.encode("unicode_escape").decode("ascii")
            for ch in shown
        )
    markup = "".join(parts)
    fence = "`" * max(3, 1 + max((len(run) for run in re.findall(r"`+", markup)), default=0))
    return _markdown(f"{fence}{{=html}}\n{markup}\n{fence}")
