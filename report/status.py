"""Freshness the reader's browser computes: ``status.json`` and the few lines that read it (a pre-render step).

    uv run python -m report.status

Writes, from the board's last complete build and its last check:

- ``status.json`` (copied to the site's root by ``_quarto.yml``'s ``resources``):
  ``last_check``, ``result`` ("built", "up to date"), ``data_as_of``, ``build_id``,
  ``expected_period_hours`` (how often the scheduled check runs: the workflow's cron,
  or ``REPORT_CHECK_EVERY_HOURS``) and ``expect_data_every_days``
  (``REPORT_EXPECT_DATA_EVERY``, days; ``null`` when unset: data age is then no promise);
- ``_freshness.html``, which ``_quarto.yml`` puts at the top of every page's body
  (``body-header``, below the title): the stamps as rendered, what a reader without
  script sees. It is in the page as Quarto writes it, so nothing moves when the script runs;
- ``_freshness-script.html``, included after every page's body: an inline script, no
  library, that fetches ``status.json`` from the same site, says "last checked 3 hours ago", and shows a
  banner when the last check is older than 1.5 times the expected period ("the
  scheduled check is overdue since …") or, when a data period is promised, when the
  data is older than it. The script sets text only (``textContent``), never markup.

The stamps are not in any page's executed output, so a check that moves them makes
no page execute again (``report.freeze``).
"""

from __future__ import annotations

import html
import json
import re
import sys
from pathlib import Path

STATUS_FILE = "status.json"
ATTEMPTS_FILE = "attempts.json"
BOX_FILE = "_freshness.html"
SCRIPT_FILE = "_freshness-script.html"
WORKFLOW = Path(".github/workflows/publish.yml")
# When the last check is older than this many expected periods, the check is overdue.
OVERDUE_AFTER_PERIODS = 1.5


def cron_period_hours(expression: str) -> float | None:
    """How many hours apart a cron schedule runs (the usual shapes; None otherwise).

    >>> cron_period_hours("17 5 * * *"), cron_period_hours("0 */6 * * *"), cron_period_hours("0 5 * * 1")
    (24.0, 6.0, 168.0)
    >>> cron_period_hours("5 * * * *"), cron_period_hours("0 5 1 * *"), cron_period_hours("0 5 * * 1-5")
    (1.0, 744.0, None)
    """
    fields = expression.split()
    if len(fields) != 5:
        return None
    _minute, hour, day, month, weekday = fields
    if any(mark in field for field in (day, month, weekday) for mark in "-/") or "-" in hour:
        return None  # ranges and steps: say the period with REPORT_CHECK_EVERY_HOURS
    if day != "*" and month == "*" and weekday == "*":
        return 31 * 24.0
    if weekday != "*" and day == "*":
        return 7 * 24.0 / len(weekday.split(","))
    if day != "*" or month != "*":
        return None
    if hour == "*":
        return 1.0
    step = re.fullmatch(r"\*/(\d+)", hour)
    if step:
        return float(step.group(1))
    return 24.0 / len(hour.split(","))


def expected_period_hours(root: Path) -> float:
    """``REPORT_CHECK_EVERY_HOURS``, else the scheduled workflow's cron, else daily."""
    from scripts import config

    setting = config.get_check_every_hours()
    if setting:
        return setting
    workflow = root / WORKFLOW
    if workflow.is_file():
        found = re.search(r"""cron:\s*["']([^"']+)["']""", workflow.read_text())
        period = cron_period_hours(found.group(1)) if found else None
        if period:
            return period
    return 24.0


def site_url(root: Path) -> str | None:
    """Where the site is published: ``REPORT_SITE_URL``, else ``_quarto.yml``'s ``website: site-url``."""
    import yaml

    from scripts import config

    setting = config.get_site_url()
    if setting:
        return setting
    settings = yaml.safe_load((root / "_quarto.yml").read_text()) if (root / "_quarto.yml").is_file() else {}
    return ((settings or {}).get("website") or {}).get("site-url") or None


def status(manifest: dict, log: dict | None, period_hours: float, data_days: float | None) -> dict:
    """The content of ``status.json``, from the last complete build and the attempts log.

    >>> built = {"built_at": "2026-12-01T05:17:00Z", "data_changed_at": "2026-11-30T05:17:00Z",
    ...          "source_hash": "ab" * 32}
    >>> from scripts import attempts
    >>> log = attempts.append(None, attempts.attempt("up to date", "2026-12-02T05:17:00Z"))
    >>> status(built, log, 24.0, None)  # doctest: +NORMALIZE_WHITESPACE
    {'last_check': '2026-12-02T05:17:00Z', 'result': 'up to date', 'data_as_of': '2026-11-30T05:17:00Z',
     'build_id': '2026-12-01T05:17:00Z abababababab', 'built_at': '2026-12-01T05:17:00Z',
     'expected_period_hours': 24.0, 'expect_data_every_days': None, 'held_back': None, 'attempts': 'attempts.json'}
    >>> log = attempts.append(log, attempts.attempt("held back", "2026-12-03T05:17:00Z", problems=['rule "x": 3 rows']))
    >>> status(built, log, 24.0, None)["held_back"]  # doctest: +NORMALIZE_WHITESPACE
    {'checked_at': '2026-12-03T05:17:00Z', 'result': 'held back', 'reasons': ['rule "x": 3 rows'],
     'message': 'The data checked on 3 December 2026, 05:17 UTC was held back: rule "x": 3 rows. The figures
     below are from the build of 1 December 2026, 05:17 UTC.'}
    """
    from scripts import attempts

    last = attempts.last(log) or {"checked_at": manifest["built_at"], "result": "built"}
    held = None
    if last["result"] in ("held back", "failed"):
        reasons = attempts.reasons(last)
        verb = "was held back" if last["result"] == "held back" else "could not be built"
        message = f"The data checked on {_when(last['checked_at'])} {verb}"
        message += f": {'; '.join(reasons)}." if reasons else "."
        message += f" The figures below are from the build of {_when(manifest['built_at'])}."
        held = {"checked_at": last["checked_at"], "result": last["result"], "reasons": reasons, "message": message}
    return {
        "last_check": last["checked_at"],
        "result": last["result"],
        "data_as_of": manifest.get("data_changed_at", manifest["built_at"]),
        "build_id": attempts.build_id(manifest),
        "built_at": manifest["built_at"],
        "expected_period_hours": period_hours,
        "expect_data_every_days": data_days,
        "held_back": held,
        "attempts": ATTEMPTS_FILE,
    }


def _when(stamp: str) -> str:
    from report.freshness import _parse, when

    return when(_parse(stamp))


SCRIPT = """
(function () {
  var box = document.getElementById("report-freshness");
  if (!box || !window.fetch) return;
  function ago(ms) {
    var m = Math.round(ms / 60000), h = Math.round(ms / 3600000), d = Math.round(ms / 86400000);
    if (m < 2) return "just now";
    if (m < 90) return m + " minutes ago";
    if (h < 36) return h + " hours ago";
    return d + " days ago";
  }
  function banner(text) {
    var note = document.createElement("p");
    note.className = "report-overdue";
    note.setAttribute("role", "status");
    note.textContent = text;
    box.appendChild(note);
  }
  fetch("status.json", {cache: "no-store"}).then(function (r) { return r.json(); }).then(function (s) {
    var now = Date.now(), checked = Date.parse(s.last_check), data = Date.parse(s.data_as_of);
    if (isNaN(checked)) return;
    box.querySelector(".report-checked").textContent = ago(now - checked);
    var held = box.querySelector(".report-held-back");
    if (held && !s.held_back) held.remove();
    if (s.held_back) {
      if (!held) {
        held = document.createElement("p");
        held.className = "report-held-back";
        held.setAttribute("role", "status");
        box.appendChild(held);
      }
      held.textContent = s.held_back.message;
    }
    var period = s.expected_period_hours * 3600000;
    if (now - checked > OVERDUE * period) {
      banner("The scheduled check is overdue: the last one ran " + ago(now - checked) +
        ", and it is expected every " + s.expected_period_hours + " hours. The numbers may be out of date.");
    }
    if (s.expect_data_every_days && now - data > s.expect_data_every_days * 86400000) {
      banner("The data last changed " + ago(now - data) + "; new data is expected every " +
        s.expect_data_every_days + " days.");
    }
  }).catch(function () {});
})();
""".replace("OVERDUE", str(OVERDUE_AFTER_PERIODS))


def box(content: dict) -> str:
    """``_freshness.html``: the stamps as rendered, at the top of every page."""
    checked, data = html.escape(content["last_check"]), html.escape(content["data_as_of"])
    held = ""
    if content.get("held_back"):
        held = f'<p class="report-held-back" role="status">{html.escape(content["held_back"]["message"])}</p>\n'
    return (
        '<div id="report-freshness" class="report-freshness">\n'
        f'<p>Data as of <time datetime="{data}">{html.escape(_when(content["data_as_of"]))}</time> · '
        f'last checked <time class="report-checked" datetime="{checked}">'
        f"{html.escape(_when(content['last_check']))}</time> "
        f'(<a href="status.json">status</a>)</p>\n{held}</div>\n'
    )


def script() -> str:
    """``_freshness-script.html``: the script that brings the stamps up to date."""
    return f"<script>{SCRIPT}</script>\n"


def main(argv: list[str] | None = None) -> int:
    from report import feed
    from scripts import attempts, config
    from scripts.board_read import last_build
    from scripts.errors import BuildError

    root = Path.cwd()
    try:
        _, manifest = last_build(config.get_board())
        log = attempts.read(config.get_board())
        content = status(manifest, log, expected_period_hours(root), config.get_expect_data_every())
        changes = feed.atom(log, site_url(root))
    except BuildError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    written = (
        (STATUS_FILE, json.dumps(content, indent=1) + "\n"),
        (ATTEMPTS_FILE, json.dumps(log or attempts.empty(), indent=1) + "\n"),
        (feed.FEED_FILE, changes),
        (BOX_FILE, box(content)),
        (SCRIPT_FILE, script()),
    )
    for name, text in written:
        partial = root / (name + ".partial")
        partial.write_text(text)
        partial.replace(root / name)
    print(
        f"[status] last check {content['last_check']} ({content['result']}), data as of {content['data_as_of']}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
