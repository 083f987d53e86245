"""Build the artifacts: raw LTER data → gate → tidy table, summaries, model → pins.

    uv run python -m scripts.build [--source S[,S…]] [--board B] [--force]

Exit status: 0 when the board is up to date (built or unchanged); 1 when an
environment variable holds an unusable value; 2 when the data fails the publish
gate (including a sharp drop in rows since the last build, or scrambled rows
that no model can learn from); 3 when a source cannot be read or parsed; 4 when
the board cannot be opened or another build holds it; 5 when DuckDB runs out of
memory or of disk for its spill or scratch files; 64 for a usage error
(``scripts/cli.py``). Messages go to stderr (``--verbose`` adds what caused them); an
expected failure never shows a traceback, and nothing is pinned unless every step passed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from scripts import (
    attempts,
    board_read,
    cli,
    compare,
    config,
    engines,
    hashing,
    ingest,
    pins_adapter,
    provenance,
)
from scripts import board as boards
from scripts import changes as change_tables
from scripts import reference as references
from scripts.errors import (
    BoardError,
    BuildError,
    ConfigError,
    GateError,
    ResourceError,
    SourceError,
    causes,
    first_line,
)
from scripts.names import CHANGES_PIN, DESCRIPTIONS, HISTORY_PIN, MANIFEST, MODEL_PIN, TIDY_PIN
from scripts.progress import configure, log, step


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = cli.ArgumentParser(
        prog="python -m scripts.build",
        description="Validate the raw penguin data and pin the tidy table, summaries and model.",
    )
    parser.add_argument(
        "--source",
        help=f"comma-separated paths or URLs, CSV or Parquet (default: ${config.ENV_SOURCE}, "
        "else the raw CSV shipped in palmerpenguins)",
    )
    parser.add_argument(
        "--board",
        help=f"folder or s3://, gs://, az:// URI (default: ${config.ENV_BOARD}, else {config.DEFAULT_BOARD})",
    )
    parser.add_argument("--force", action="store_true", help="rebuild even when the board is up to date")
    parser.add_argument("--verbose", action="store_true", help="log more detail")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    configure(verbose=args.verbose)
    try:
        if config.get_skip_build():
            return _check_only(args.board or config.get_board())
        sources = config.split_sources(args.source, "--source") if args.source is not None else config.get_source()
        run(sources, args.board or config.get_board(), force=args.force)
    except BuildError as error:
        print(f"error: {error}", file=sys.stderr)
        if args.verbose:  # what the library itself said, for a bug report
            for cause in causes(error):
                print(f"  caused by {cause}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("error: interrupted; the board keeps its previous state", file=sys.stderr)
        return 130
    return 0


def _check_only(location: str) -> int:
    """``REPORT_SKIP_BUILD``: read no source and write nothing; the board must hold a complete build."""

    if not board_read.read_manifest(board_read.open_board(location)):
        raise BoardError(f"the board at {location} holds no complete build to render ({config.ENV_SKIP_BUILD} is set)")
    log.info("skipped: %s is set, the pages read the board at %s as it is", config.ENV_SKIP_BUILD, location)
    return 0


def run(sources: list[str], location: str, *, force: bool = False) -> str:
    """Bring the board at ``location`` up to date with ``sources``.

    Returns ``"up to date"`` when nothing had to be written, else ``"built"``. Every
    attempt goes to the board's attempts log (``scripts/attempts.py``): built and up to
    date under the build lock, held back (the gate) and failed (a source, a setting, the
    machine) as it stops. A board that cannot be opened or is busy records nothing.
    """
    known: dict = {}  # what the attempt read, once it is known
    try:
        return _run(sources, location, force, known)
    except GateError as error:
        problems = [v.describe() for v in error.violations]
        held = attempts.attempt("held back", provenance.utc_now(), measures=error.measures, problems=problems, **known)
        _record_failure(location, held)
        raise
    except (SourceError, ConfigError, ResourceError) as error:
        failed = attempts.attempt("failed", provenance.utc_now(), problems=[first_line(error)], **known)
        _record_failure(location, failed)
        raise


def _record_failure(location: str, entry: dict) -> None:
    """Note an attempt that stopped; a log that cannot be written is said, and the build's own error stands."""
    try:
        boards.record_attempt(location, entry)
    except (OSError, BuildError) as error:
        log.warning("could not record the attempt in the attempts log of %s: %s", location, first_line(error))


def _run(sources: list[str], location: str, force: bool, known: dict) -> str:
    with tempfile.TemporaryDirectory(prefix="penguins-sources-") as fetched:
        with step("hash") as info:
            ingest.check_reachable(sources)
            # remote sources are copied once: what is hashed is what is read
            readable = ingest.fetch(sources, Path(fetched))
            before = hashing.stamps(readable)
            source_hash = hashing.source_hash(readable, before)
            code_hash = provenance.code_hash()
            known.update(source_hash=source_hash, code_version=provenance.code_version())
            info["source"] = ingest.describe_sources(sources)
            info["sha256"] = source_hash[:12]
        return _bring_up_to_date(readable, sources, before, location, source_hash, code_hash, force=force)


def _bring_up_to_date(
    readable: list[str],
    sources: list[str],
    before: dict,
    location: str,
    source_hash: str,
    code_hash: str,
    *,
    force: bool,
) -> str:
    """``run`` once the sources are hashed: the up-to-date check, the build, the pins.
    ``readable``: the sources as fetched (``ingest.fetch``); ``before``: the local
    sources' sizes and times when they were hashed."""
    target = boards.open_board(location, create=True)
    with boards.build_lock(location):
        removed = boards.repair(target)
        if removed:
            log.info("repair    removed half-written versions: %s", ", ".join(removed))
        previous = board_read.read_manifest(target)
        if not force and boards.manifest_is_current(target, previous, source_hash, code_hash):
            log.info("up to date: %s already holds this data built by this code", location)
            boards.record_attempt(
                location,
                attempts.attempt(
                    "up to date",
                    provenance.utc_now(),
                    source_hash=source_hash,
                    code_version=previous.get("code_version"),
                    build_id=attempts.build_id(previous),
                ),
            )
            return "up to date"

        reference = references.read_reference(target, previous)
        # A forced re-run of the same data and code changes nothing to compare: its history stands.
        rerun = references.same_build(reference, source_hash, code_hash)
        with tempfile.TemporaryDirectory(prefix="penguins-build-") as workdir:
            previous_rows = previous.get("source_rows") if previous else None
            artifacts = compute(
                readable,
                Path(workdir),
                previous_rows=previous_rows,
                reference=None if rerun else reference,
                originals=sources,
                digests=hashing.table_digests(before),
            )
            meta = {
                "source_hash": source_hash,
                "built_at": provenance.utc_now(),
                "code_version": provenance.code_version(),
                "code_hash": code_hash,
                "packages": provenance.package_versions(),
                "source_rows": artifacts["counts"]["raw"],
                "clean_rows": artifacts["counts"]["clean"],
            }
            data_changed_at = meta["built_at"]
            if previous and previous.get("source_hash") == source_hash:
                data_changed_at = previous.get("data_changed_at", data_changed_at)
            artifacts["history"] = history_tables(reference, artifacts, meta, rerun=rerun)
            hashing.check_unchanged(before)  # the rows read are the rows hashed
            write_board(target, location, artifacts, meta, data_changed_at)
        entry = attempts.attempt(
            "built",
            meta["built_at"],
            source_hash=source_hash,
            code_version=meta["code_version"],
            build_id=attempts.build_id(meta),
            measures=artifacts["measures"],
            summary=attempts.summary(artifacts["history"][HISTORY_PIN]),
        )
        boards.record_attempt(location, entry)
    return "built"


def compute(
    sources: list[str],
    workdir: Path,
    previous_rows: int | None = None,
    reference: references.Reference | None = None,
    originals: list[str] | None = None,
    digests: dict[str, str] | None = None,
) -> dict:
    """Every artifact of the build, computed before anything is written.

    ``previous_rows``: the raw rows the board's last build read, for the gate's
    row-count check; ``reference``: the board's last complete build, which this
    one is compared with (``scripts/compare.py``) before the model is trained;
    ``originals``: where each source came from, when it is a fetched copy; ``digests``:
    each table source's content hash as hashed, which its snapshot must still have.
    The SQL runs on the engine ``REPORT_ENGINE`` names (``scripts/engines``); the
    comparison reads the tidy file in the engine's ``local`` DuckDB.
    """
    from scripts import clean, summarize, validate

    max_drop = config.get_max_row_drop()
    max_rmse_ratio = config.get_max_rmse_ratio()
    max_revised, max_drift, max_removed = config.get_max_revised(), config.get_max_drift(), config.get_max_removed()
    settings = config.get_duckdb_settings(spill_dir=str(workdir / "spill"))
    tidy = workdir / "penguins.parquet"
    measured: list[dict] = []  # what the gate measured, rule by rule (the attempts log shows it)
    with step("engine") as info:
        engine = engines.open_engine(config.get_engine(), settings=settings, workdir=workdir)
        info["engine"] = engine.name
    try:
        with step("ingest") as info:
            engine.register_raw(sources, originals, digests)
            info["files"] = len(sources)
            info["columns"] = len(engine.columns()) - 1
        with step("validate") as info:
            checked = validate.check(engine)
            measured += validate.row_drop_measure(checked["rows"], previous_rows, max_drop)
            validate.check_row_drop(checked["rows"], previous_rows, max_drop)
            info["rows checked"] = checked["rows"]
            info["missing measurements"] = checked["missing measurements"]
        with step("clean") as info:
            clean_rows = clean.clean(engine, tidy)
            info["rows in"] = checked["rows"]
            info["rows out"] = clean_rows
            # The gate stops the build on any bad row, so cleaning keeps every row it is given.
            info["rows rejected"] = checked["rows"] - clean_rows
        with step("summarize") as info:
            tables = summarize.summarize(engine)
            info["tables"] = len(tables)
            info["rows"] = sum(len(t) for t in tables.values())
        comparison = None
        if reference is not None:
            with step("compare") as info:
                comparison = compare.compare(
                    engine.local,
                    reference,
                    tables,
                    max_revised=max_revised,
                    max_drift=max_drift,
                    max_removed=max_removed,
                )
                measured += comparison.measures
                if comparison.totals:
                    info.update(comparison.totals)
                info["largest drift (SD)"] = round(float(comparison.drift["shift_sd"].max(skipna=True) or 0), 2)
            if comparison.totals and comparison.totals["added"]:
                with step("added") as info:  # the penguins added since, against the published ones
                    check_added(engine.local, reference, comparison, info, measured)
        with step("train") as info:
            from scripts import train

            result = train.train(train.training_sample(engine), max_rmse_ratio)
            measured += result.measures
            info["model"] = repr(result.chosen.name)
            info.update({f"{k} rows": v for k, v in result.rows.items()})
    except GateError as error:
        error.measures = measured + error.measures  # the rules that passed before it, then its own
        raise
    except BuildError:
        raise
    except Exception as exc:  # an engine's own error: named when a user can act on it, else raised as it is
        failure = engine.explain(exc)
        if failure is None:
            raise
        raise failure from exc
    finally:
        engine.close()
    return {
        "tidy": tidy,
        "summaries": tables,
        "model": result,
        "counts": {"raw": checked["rows"], "clean": clean_rows},
        "comparison": comparison,
        "measures": measured,
    }


def check_added(
    local, reference: references.Reference, comparison: compare.Comparison, info: dict, measured: list[dict]
) -> None:
    """Rules ``spread``, ``repeated values``, ``distribution`` and ``last model``
    (``scripts/added_data.py``) on the penguins added since the last build; the last
    model's scores go to ``comparison.previous_model``, what the rules measured to ``measured``."""
    from scripts import added_data

    published, added = added_data.samples(local.con)
    statistics = added_data.group_statistics(published, added)
    violations = added_data.check(
        statistics,
        max_spread_ratio=config.get_max_spread_ratio(),
        max_repeated=config.get_max_repeated(),
        max_ks=config.get_max_ks(),
    )
    info["groups compared"] = len(statistics)
    sample = compare.added_sample(local)
    if len(sample):
        comparison.previous_model = compare.score_previous_model(reference, sample, MODEL_PIN)
    info["last model on added"] = _scores(comparison.previous_model or {})
    top, bottom = config.get_error_ratios()
    violations += added_data.check_last_model(
        comparison.previous_model, references.test_rmse(reference), max_ratio=top, min_ratio=bottom
    )
    measured += added_data.measures(
        statistics,
        comparison.previous_model,
        references.test_rmse(reference),
        max_spread_ratio=config.get_max_spread_ratio(),
        max_repeated=config.get_max_repeated(),
        max_ks=config.get_max_ks(),
        max_ratio=top,
        min_ratio=bottom,
    )
    if violations:
        raise GateError(violations)


def _scores(scores: dict) -> str:
    if "rmse" not in scores:
        return "not scored" if scores else "no added penguin with every measurement"
    return f"RMSE {scores['rmse']:,.0f} g on {scores['rows']:,} rows"


def history_tables(reference, artifacts: dict, meta: dict, *, rerun: bool) -> dict:
    """The ``build_history`` and ``changes`` pins of this build.

    A forced re-run of the data and code of the last build adds no history row
    and keeps the last build's changes: nothing changed since.
    """
    history, changes = HISTORY_PIN, CHANGES_PIN
    if rerun and history in reference.tables and changes in reference.tables:
        return {history: reference.tables[history], changes: reference.tables[changes]}
    comparison = artifacts["comparison"]
    test_metrics = artifacts["model"].tables["model_test_metrics"]
    row = change_tables.history_row(
        meta,
        test_metrics,
        artifacts["summaries"]["species_islands"],
        comparison.totals if comparison else None,
        comparison.previous_model if comparison else None,
    )
    return {
        history: change_tables.build_history(reference, row),
        changes: change_tables.changes_table(reference, comparison, test_metrics),
    }


def write_board(target, location: str, artifacts: dict, meta: dict, data_changed_at: str) -> None:
    """Stage every pin, promote them, then promote the manifest that names them."""
    result = artifacts["model"]
    tables = {
        # The tidy table is pinned from the Parquet file DuckDB wrote: never in memory.
        TIDY_PIN: (pins_adapter.parquet_file(artifacts["tidy"]), artifacts["counts"]["clean"]),
        **{
            name: (frame, len(frame))
            for name, frame in {**artifacts["summaries"], **result.tables, **artifacts.get("history", {})}.items()
        },
    }
    with step("pin") as info, boards.staging_board(location) as staged:
        created = boards.version_time(target)  # after every version on the board
        for name, (table, rows) in tables.items():
            description = DESCRIPTIONS[name]
            staged.pin_write(
                table,
                name=name,
                type="parquet",
                title=name.replace("_", " "),
                description=description,
                metadata={**meta, "rows": rows},
                created=created,
            )
        _stage_model(staged, result, meta, created)

        versions, written = {}, []
        for name in [*tables, MODEL_PIN]:
            versions[name], new = boards.promote(staged, target, name)
            if new:
                written.append(name)
        manifest = {
            **meta,
            "data_changed_at": data_changed_at,
            "model": result.chosen.name,
            "pins": versions,
        }
        staged.pin_write(
            manifest,
            name=MANIFEST,
            type="json",
            title="build manifest",
            description=DESCRIPTIONS[MANIFEST],
            metadata=meta,
            created=created,
        )
        boards.promote(staged, target, MANIFEST)
        info["pins written"] = len(written)
        info["unchanged"] = len(versions) - len(written)
        info["board"] = location


def _stage_model(staged, result, meta: dict, created) -> None:
    """Pin the chosen pipeline with vetiver, with prototype data for the API."""
    import vetiver
    from vetiver.utils import modelcard_options

    modelcard_options.quiet = True  # its model-card hint is not build progress
    model = vetiver.VetiverModel(
        result.model,
        model_name=MODEL_PIN,
        prototype_data=result.prototype,
        description=f"Predicts body mass (g) of a Palmer penguin: {result.chosen.name}.",
        metadata={
            **meta,
            "model": result.chosen.name,
            "features": list(result.prototype.columns),
            "input_domain": result.domain,
            "training_rows": {"train": result.rows["train"], "test": result.rows["test"]},
        },
    )
    vetiver.vetiver_pin_write(_TopLevelMetadata(staged, meta, created), model)


class _TopLevelMetadata:
    """A board proxy that adds the build's metadata at the top level of the model
    pin's metadata too (vetiver nests user metadata under ``user``), so every
    pin carries ``source_hash`` and ``built_at`` in the same place, and stamps the
    version with the build's time (``board.version_time``), which vetiver cannot pass."""

    def __init__(self, board, meta: dict, created):
        self._board, self._meta, self._created = board, meta, created
        self.allow_pickle_read = board.allow_pickle_read

    def pin_write(self, *args, metadata=None, **kwargs):
        metadata = {**self._meta, **(metadata or {})}
        return self._board.pin_write(*args, metadata=metadata, created=self._created, **kwargs)


if __name__ == "__main__":
    sys.exit(main())
