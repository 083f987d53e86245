"""Apache Spark: the build's SQL on a Spark session, when ``REPORT_ENGINE=spark`` (docs/spark.md).

``SparkEngine`` is an ``Engine`` (``scripts/engines/__init__.py``). On Spark run
the raw files' reading, the gate's profile and checks, the clean step (Spark
writes the tidy table as Parquet), the passes over the tidy rows, every summary,
the sample candidates and both samples. What comes back to the driver is small
whatever the raw size: the gate's counts and examples, the summaries and the
samples. Training, pinning and the comparison with the last build then run as
with DuckDB, on the engine's ``local`` DuckDB over the tidy file.

The SQL files stay DuckDB's, the one definition: each query is turned into
Spark SQL with sqlglot (``translate``), after writing out the two DuckDB
constructs Spark has no form of from the values the build set:
``getvariable('name')`` and ``COLUMNS(getvariable('name'))`` over a list of
column names (``expand``). A file with no translation has its Spark form beside
it, which the engine reads by the file's name: ``sql/summaries/correlations.spark.sql``.
``tests/test_spark.py`` runs both engines on the same inputs and fails if a pin
or a gate message differs.

The cluster comes from Spark's own settings: ``SPARK_REMOTE`` (Spark Connect,
``sc://host:port``) or the master URL ``REPORT_SPARK_MASTER`` (default
``local[*]``); credentials come only from the environment Spark reads.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Sequence
from pathlib import Path

from scripts import config, database, ingest, sql
from scripts.engines.base import (
    NUMBERED_VIEW,
    ORDERED_VIEW,
    RAW_VIEW,
    ROW_IN_FILE,
    SOURCE_FILE,
    TIDY_VIEW,
    Engine,
    Named,
    Query,
    Repeats,
)
from scripts.errors import ConfigError, SourceError, first_line

DIALECT = "spark"
# Spark's default of 200 shuffle partitions suits a cluster, not a laptop: a
# local master gets a few per core (adaptive execution coalesces them further).
LOCAL_SHUFFLE_PARTITIONS_PER_CORE = 2
# Spark's log, quiet: the build says what went wrong itself (no Java stack traces on stderr).
LOG_CONFIG = Path(__file__).with_name("spark-log4j2.properties")
# Columns the raw reader adds to place a row in its file (dropped from the raw view).
_BLOCK, _SEQUENCE = "__block", "__sequence"
_TABLE_ROW = "__table_row"  # a table's copy: the row's place (``database.place``), NULL for a file


def _spark_errors() -> tuple[type[BaseException], ...]:
    """What Spark raises for a query or a read it cannot do: its own errors (an
    ``AnalysisException``, a Spark Connect error) and the JVM's, passed through Py4J."""
    from py4j.protocol import Py4JError
    from pyspark.errors import PySparkException

    return (PySparkException, Py4JError)


def session():
    """The Spark session of the cluster the environment names (``config.get_spark_cluster``)."""
    cluster = config.get_spark_cluster()
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise ConfigError(
            f"{config.ENV_ENGINE}=spark needs pyspark: install the project with `uv sync --extra spark`"
        ) from None
    builder = SparkSession.builder.appName("palmer-penguins-report")
    if "remote" in cluster:
        builder = builder.remote(cluster["remote"])
    else:
        cores = os.cpu_count() or 1
        builder = (
            builder.master(cluster["master"])
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.log.level", "FATAL")
            .config("spark.driver.extraJavaOptions", f"-Dlog4j.configurationFile={LOG_CONFIG.as_uri()}")
            .config("spark.sql.shuffle.partitions", str(cores * LOCAL_SHUFFLE_PARTITIONS_PER_CORE))
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        )
    try:
        session = builder.config("spark.sql.session.timeZone", "UTC").getOrCreate()
        # Every field of a CSV line is parsed, so a line with too few or too many fields
        # stops the read (FAILFAST) instead of reading as NULLs in the columns a query skips.
        session.conf.set("spark.sql.csv.parser.columnPruning.enabled", "false")
    except (*_spark_errors(), OSError) as exc:  # no Java, a wrong master URL, an unreachable server
        where = cluster.get("remote") or cluster["master"]
        raise ConfigError(
            f"cannot start Spark at {where} ({config.ENV_SPARK_MASTER} / {config.ENV_SPARK_REMOTE}): "
            f"{first_line(exc)}; a local master needs Java 17 or later (JAVA_HOME)"
        ) from exc
    return session


class SparkEngine(Engine):
    """A Spark session, with the variables the build set (``getvariable``) and a local
    DuckDB (``local``) where the tidy table is gathered and compared."""

    name = DIALECT

    def __init__(self, spark_session, local, workdir: Path | None = None):
        self.session = spark_session
        self._local = local
        self.workdir = workdir
        self.variables: dict[str, object] = {}
        self._file_columns: dict[str, set[str]] = {}
        self._sources: list[str] = []
        self._made: list[str] = []  # folders made for this build on shared storage (``close`` removes them)

    @classmethod
    def connect(cls, local, workdir: Path | None = None) -> SparkEngine:
        return cls(session(), local, workdir)

    @property
    def local(self):
        return self._local

    # --- queries ---------------------------------------------------------------

    def dataframe(self, query: Query):
        """A Spark DataFrame for a query: a named file's Spark form when it has one, else
        its DuckDB SQL translated (``translate``), as is any generated text."""
        if isinstance(query, Named):
            form = sql.spark_form(query.name)
            if form is not None:
                return self.session.sql(translate(form, self.variables, read=DIALECT))
            query = sql.load(query.name)
        return self.session.sql(translate(query, self.variables))

    def set(self, name: str, value) -> None:
        self.variables[name] = value

    def register_table(self, name: str, frame) -> None:
        self.session.createDataFrame(frame).createOrReplaceTempView(name)

    def frame(self, query: Query):
        """The rows as pandas, converted by DuckDB from Arrow: the same column types
        as DuckDB's own results, so a pin's schema does not depend on the engine."""
        import duckdb

        return duckdb.arrow(self.dataframe(query).toArrow()).df()

    def rows(self, query: Query) -> list[tuple]:
        return [tuple(row) for row in self.dataframe(query).collect()]

    def keep(self, name: str, query: Query, *, append: bool = False) -> None:
        frame = self.dataframe(query)
        if append:  # the table's rows and the query's, kept as one table again
            frame = self.session.table(name).unionByName(frame)
        frame.localCheckpoint().createOrReplaceTempView(name)  # computed now, once, kept without its lineage

    def view(self, name: str, query: Query) -> None:
        self.dataframe(query).createOrReplaceTempView(name)

    def columns(self, relation: str = RAW_VIEW) -> list[str]:
        return list(self.session.table(relation).columns)

    def file_columns(self) -> dict[str, set[str]]:
        return self._file_columns

    def write_tidy(self, query: Query, out: Path) -> int:
        """Spark writes a folder of Parquet files (``tidy_folder``; Spark's default
        compression, snappy: half zstd's time); the local DuckDB joins them as the one
        zstd file ``out``, so the ``penguins`` pin is the same file whichever engine built it."""
        folder = tidy_folder(self.workdir)
        if config.get_spark_scratch():
            self._made.append(folder)
        self.dataframe(query).write.parquet(folder, mode="overwrite")
        self.session.read.parquet(folder).createOrReplaceTempView(TIDY_VIEW)
        self._local.gather(folder, out)
        return self.session.sql(f"SELECT count(*) FROM {TIDY_VIEW}").collect()[0][0]

    # --- the gate's repeated keys ------------------------------------------------

    def keys_may_repeat(self, relation: str, keys: Sequence[str], where: str = "true", *, dense: bool = False) -> bool:
        """Spark has no DuckDB ``hash`` to screen with: it groups by the key itself, a
        shuffle of a few small columns that Spark spreads over the cluster."""
        grouped = ", ".join(f"k{i}" for i in range(len(keys)))
        cleaned = ", ".join(f"{k} AS k{i}" for i, k in enumerate(keys))
        self.view("gate_keys", f"SELECT {cleaned} FROM {relation} WHERE {where}")
        found = self.session.sql(f"SELECT 1 FROM gate_keys GROUP BY {grouped} HAVING count(*) > 1 LIMIT 1")
        return bool(found.head(1))

    def repeated_keys(self, relation: str, keys: Sequence[str], limit: int) -> Repeats:
        names = [f"k{i}" for i in range(len(keys))]
        grouped = ", ".join(names)
        cleaned = ", ".join(f"{k} AS k{i}" for i, k in enumerate(keys))
        self.view("gate_keys", f"SELECT {cleaned}, {SOURCE_FILE} AS file, {ROW_IN_FILE} AS row_in_file FROM {relation}")
        groups = self.session.sql(
            f"SELECT {grouped}, count(*) AS n, "
            f"slice(sort_array(collect_list(struct(file, row_in_file))), 1, {limit}) AS places "
            f"FROM gate_keys GROUP BY {grouped} HAVING count(*) > 1"
        )
        total = groups.agg({"n": "sum"}).collect()[0][0]
        examples = [
            {
                "label": " / ".join(str(row[k]) for k in names if row[k] is not None),
                "places": [[place.file, str(place.row_in_file)] for place in row.places],
                "n": row.n,
            }
            for row in groups.orderBy(*names).limit(limit).collect()
        ]
        return Repeats(int(total or 0), examples)

    # --- reading the raw files -----------------------------------------------------

    def register_raw(
        self, sources: list[str], originals: list[str] | None = None, digests: dict[str, str] | None = None
    ) -> None:
        """``Engine.register_raw`` on Spark.

        Each file is read by Spark itself (CSV as text columns named by its header,
        the standard dialect; Parquet with its own types), so the data stays where
        it is; a fetched copy of a remote source is first put where the cluster reads
        it (``stage_sources``). A CSV line Spark cannot split into the header's fields
        stops the read (``FAILFAST``). ``raw_numbered`` numbers each file's data rows
        from 1 in file order: by the start of the block a row was read from, then the
        order it was read in.

        A PostgreSQL table is read in the local DuckDB's snapshot (``DuckDBEngine.copy_tables``)
        and copied once, in its primary key's order, to a Parquet file that Spark reads, as a
        fetched copy of a remote file is: its rows keep the table's places (``database.place``).
        Spark's own JDBC source would need the PostgreSQL JDBC driver, which no package of the
        spark extra ships, and would read each partition in a snapshot of its own.
        """
        from functools import reduce

        from pyspark.sql import functions as F
        from pyspark.sql.types import StringType, StructField, StructType

        originals = list(originals or sources)
        tables = [s for s in sources if database.is_table(s)]
        if tables:
            folder = Path(self.workdir or tempfile.mkdtemp(prefix="penguins-tables-")) / "tables"
            copies = self._local.copy_tables(tables, digests or {}, folder)
            sources = [copies.get(s, s) for s in sources]
        sources, staged = stage_sources(sources, originals)
        if staged:
            self._made.append(staged)
        self._sources = sources
        frames, columns = [], {}
        for location, original in zip(sources, originals, strict=True):
            path = _spark_path(location)
            try:
                if ingest.file_format(location) == "csv":
                    names = ingest.csv_header(location)
                    schema = StructType([StructField(name, StringType()) for name in names])
                    frame = self.session.read.csv(
                        path, schema=schema, header=True, enforceSchema=True, mode="FAILFAST", quote='"', escape='"'
                    )
                    text = names
                else:
                    frame = self.session.read.parquet(path)
                    names = frame.columns
                    text = names if all(f.dataType == StringType() for f in frame.schema.fields) else []
                copied = database.is_table(original)  # a table's copy: its places are in it
                if copied:
                    names = [name for name in names if name not in (SOURCE_FILE, ROW_IN_FILE)]
                    place = [F.col(SOURCE_FILE), F.col(ROW_IN_FILE).alias(_TABLE_ROW)]
                else:
                    place = [F.lit(location).alias(SOURCE_FILE), F.lit(None).cast("bigint").alias(_TABLE_ROW)]
                marked = [_missing_as_null(F, name) if name in text else F.col(_quoted(name)) for name in names]
                frames.append(
                    frame.select(
                        *marked,
                        *place,
                        F.col("_metadata.file_block_start").alias(_BLOCK),
                        F.monotonically_increasing_id().alias(_SEQUENCE),
                    )
                )
            except _spark_errors() as exc:  # no such file, not Parquet …
                shown = ingest.short_name(location)
                raise SourceError(f"cannot read the raw data from {shown}: {first_line(exc)}") from exc
            columns[original if database.is_table(original) else location] = set(names)
        positioned = reduce(lambda a, b: a.unionByName(b, allowMissingColumns=True), frames)
        positioned.drop(_BLOCK, _SEQUENCE, _TABLE_ROW).createOrReplaceTempView(RAW_VIEW)
        positioned.createOrReplaceTempView("raw_positioned")
        self.session.sql(
            f"SELECT * EXCEPT ({_BLOCK}, {_SEQUENCE}, {_TABLE_ROW}), coalesce({_TABLE_ROW}, row_number() OVER "
            f"(PARTITION BY {SOURCE_FILE} ORDER BY {_BLOCK}, {_SEQUENCE})) AS {ROW_IN_FILE} "
            "FROM raw_positioned"
        ).createOrReplaceTempView(NUMBERED_VIEW)
        # rows in order as they are read: a file's own, a table's copy in its key's order
        self.session.sql(f"SELECT * FROM {RAW_VIEW}").createOrReplaceTempView(ORDERED_VIEW)
        self._file_columns = columns

    def explain(self, exc: Exception) -> SourceError | None:
        return read_failure(self, exc, self._sources)

    def close(self) -> None:
        for folder in self._made:
            remove_folder(folder)
        self._made = []
        self._local.close()


# --- DuckDB SQL to Spark SQL ---------------------------------------------------


def translate(query: str, variables: dict, read: str = "duckdb") -> str:
    """Spark SQL for a DuckDB query: ``expand``, then sqlglot's DuckDB → Spark translation.

    ``SELECT COLUMNS(getvariable('m')) IS NOT NULL AS 'has_\\0' FROM t`` with ``m``
    set to ``['a', 'b']`` becomes ``SELECT NOT `a` IS NULL AS `has_a`, NOT `b` IS
    NULL AS `has_b` FROM t`` (``tests/test_spark.py``).
    """
    import sqlglot

    tree = sqlglot.parse_one(query, read=read)
    return expand(tree, variables).sql(dialect="spark")


def expand(tree, variables: dict):
    """The query with DuckDB's ``COLUMNS(getvariable('name'))`` and ``getvariable('name')``
    written out from ``variables``, as DuckDB expands them.

    ``*COLUMNS(...)`` among a function's arguments becomes one argument per
    name; an item of a select list that holds ``COLUMNS(...)`` becomes one item
    per name, named by its alias with ``\\0`` replaced by the name, else by the
    name itself; any other ``getvariable('name')`` becomes the value.
    """
    from sqlglot import exp

    def names_of(node) -> list[str]:
        return list(_value(node.this, variables))

    def splice(node) -> None:  # one argument (or list item) per name
        parent, key = node.parent, node.arg_key
        items = parent.args[key]
        at = next(i for i, item in enumerate(items) if item is node)
        columns = [exp.column(name, quoted=True) for name in names_of(node)]
        parent.set(key, [*items[:at], *columns, *items[at + 1 :]])

    for node in list(tree.find_all(exp.Columns)):
        if node.args.get("unpack") or (isinstance(node.parent.args.get(node.arg_key), list) and not _in_select(node)):
            splice(node)
    for select in list(tree.find_all(exp.Select)):
        items = []
        for item in select.expressions:
            found = list(item.find_all(exp.Columns))
            if not found:
                items.append(item)
                continue
            alias = item.alias if isinstance(item, exp.Alias) else ""
            for name in names_of(found[0]):
                copy = item.copy()
                if isinstance(copy, exp.Columns):  # the item is COLUMNS(...) itself
                    copy = exp.column(name, quoted=True)
                for node in list(copy.find_all(exp.Columns)):
                    node.replace(exp.column(name, quoted=True))
                if "\\0" in alias:
                    copy.set("alias", exp.to_identifier(alias.replace("\\0", name), quoted=True))
                elif not alias:
                    copy = exp.alias_(copy, name, quoted=True)
                items.append(copy)
        select.set("expressions", items)
    for node in list(tree.find_all(exp.In)):  # x IN (getvariable('list')): a Spark form's PIVOT
        values = node.expressions
        if len(values) == 1 and isinstance(values[0], exp.Anonymous) and values[0].name.lower() == "getvariable":
            node.set("expressions", [_literal(v) for v in _value(values[0], variables)])
    for node in list(tree.find_all(exp.Anonymous)):
        if node.name.lower() == "getvariable":
            node.replace(_literal(_value(node, variables)))
    # DuckDB adds numbers up in a stated order (sum(x ORDER BY v)), for the same
    # last bit on every run; Spark has no ordered sum, and adds them in any order.
    for node in list(tree.find_all(exp.Order)):
        if isinstance(node.parent, (exp.Sum, exp.Avg)):
            node.replace(node.this)
    return tree


def _in_select(node) -> bool:
    """Whether a ``COLUMNS`` node is an item (or inside an item) of a select list."""
    from sqlglot import exp

    while node.parent is not None:
        if isinstance(node.parent, exp.Select) and node.arg_key == "expressions":
            return True
        node = node.parent
    return False


def _value(node, variables: dict):
    from sqlglot import exp

    if not (isinstance(node, exp.Anonymous) and node.name.lower() == "getvariable"):
        raise ValueError(f"COLUMNS over {node.sql('duckdb')} has no Spark form: name the columns with getvariable")
    name = node.expressions[0].name
    if name not in variables:
        raise KeyError(f"the query reads getvariable({name!r}), which the build did not set")
    return variables[name]


def _literal(value):
    from sqlglot import exp

    if isinstance(value, (list, tuple)):
        return exp.Array(expressions=[_literal(v) for v in value])
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, (int, float)):
        return exp.Literal.number(repr(value))
    return exp.Literal.string(str(value))


# --- reading the raw files -----------------------------------------------------


def _missing_as_null(F, name: str):
    """A text column with the LTER's missing-value markers as NULL (``ingest.MISSING_MARKERS``)."""
    column = F.col(_quoted(name))
    return F.when(F.trim(column).isin(ingest.MISSING_MARKERS), None).otherwise(column).alias(name)


def _quoted(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _spark_path(location: str) -> str:
    """A location as Spark's readers take it: a local path made absolute; any other as it is."""
    from scripts import locations

    if locations.is_local(location):
        return str(locations.local_path(location).resolve())
    return location


def read_failure(engine: SparkEngine, exc: Exception, sources: list[str]) -> SourceError | None:
    """The message for a Spark error met while reading the raw files, if it is one: the
    CSV line that does not split into the header's fields, named as DuckDB names it.

    Spark's FAILFAST error names the file but not the line, so the line is found
    by reading that file again with the bad lines kept aside (only on failure).
    """
    text = str(exc)
    if "FAILED_READ_FILE" not in text and "Malformed" not in text:
        return None
    failed = re.search(r"while reading file (\S+?)\.?\s", text)
    location = _source_of(failed.group(1), sources) if failed else None
    if location is None or ingest.file_format(location) != "csv":
        shown = ingest.short_name(failed.group(1)) if failed else "a source"
        return SourceError(f"cannot read the raw data: {shown} is damaged or incomplete ({first_line(exc)})")
    found = _first_malformed_line(engine, location)
    name = ingest.short_name(location)
    if found is None:
        return SourceError(f"cannot parse the raw data: {name} has a malformed line ({first_line(exc)})")
    line, fields, header, original = found
    problem = ingest.csv_problem(f"Expected Number of Columns: {header} Found: {fields}")
    return SourceError(
        f"cannot parse the raw data: {name} line {line} {problem} (it reads {original[:80]!r}); every line must "
        "have as many comma-separated fields as the header, and a quoted value must end with a quote"
    )


def _source_of(uri: str, sources: list[str]) -> str | None:
    """Which source a file URI in a Spark message is (``file:///tmp/a%20b.csv``)."""
    from urllib.parse import unquote

    path = unquote(uri.removeprefix("file:"))
    for location in sources:
        if location == uri or _spark_path(location) == re.sub(r"^/+", "/", path):
            return location
    return None


def _first_malformed_line(engine: SparkEngine, location: str) -> tuple[int, int, int, str] | None:
    """``(line, its fields, the header's fields, the line)`` of the first line of a CSV source
    that does not split into the header's fields, or None."""
    import csv

    from pyspark.sql import Window
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType, StructField, StructType

    names = ingest.csv_header(location)
    bad = "__malformed"
    schema = StructType([StructField(name, StringType()) for name in names] + [StructField(bad, StringType())])
    frame = engine.session.read.csv(
        _spark_path(location),
        schema=schema,
        header=True,
        enforceSchema=True,
        mode="PERMISSIVE",
        columnNameOfCorruptRecord=bad,
        quote='"',
        escape='"',
    ).select("*", F.col("_metadata.file_block_start").alias(_BLOCK), F.monotonically_increasing_id().alias(_SEQUENCE))
    # Spark reads the bad-line column alone only from a kept result, so every column is kept first
    frame = frame.localCheckpoint()
    numbered = frame.select(bad, F.row_number().over(Window.orderBy(_BLOCK, _SEQUENCE)).alias("row"))
    first = numbered.filter(F.col(bad).isNotNull()).orderBy("row").first()
    if first is None:
        return None
    original = first[bad].splitlines()[0] if first[bad] else ""
    fields = len(next(csv.reader([original]), []))
    return first["row"] + 1, fields, len(names), original  # + 1: the header line


def tidy_folder(workdir) -> str:
    """Where Spark writes the tidy table: a new folder under ``REPORT_SPARK_SCRATCH``, or,
    for a local master without it, in the build's scratch folder ``workdir``.

    Executors elsewhere (a cluster, Spark Connect) cannot write into this
    machine's folders, so they need a place both sides reach.
    """
    import uuid

    scratch = config.get_spark_scratch()
    if scratch:
        return f"{scratch}/penguins-{uuid.uuid4().hex}"
    cluster = config.get_spark_cluster()
    if cluster.get("master", "").startswith("local"):
        return str(workdir / "spark-penguins")
    where = cluster.get("remote") or cluster["master"]
    raise ConfigError(
        f"Spark at {where} cannot write into this machine's folders: set {config.ENV_SPARK_SCRATCH} to a "
        "folder or cloud URI that the cluster and this machine both reach (s3://bucket/scratch, say)"
    )


def stage_sources(readable: list[str], sources: list[str]) -> tuple[list[str], str | None]:
    """The fetched copies of remote sources where a cluster reads them: under
    ``REPORT_SPARK_SCRATCH`` when it is set (executors elsewhere cannot read this
    machine's folders), else as they are. Returns the locations and the folder made
    (for ``remove_folder``), or None."""
    import uuid

    from scripts import locations

    scratch = config.get_spark_scratch()
    remote = [i for i, source in enumerate(sources) if not locations.is_local(source)]
    if not scratch or not remote:
        return readable, None
    folder = f"{scratch}/sources-{uuid.uuid4().hex}"
    staged = list(readable)
    for i in remote:
        target = f"{folder}/{i + 1}/{locations.local_path(readable[i]).name}"
        if locations.is_cloud(target):
            locations.filesystem(target).put_file(readable[i], target)
        else:
            import shutil

            locations.local_path(target).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(readable[i], locations.local_path(target))
        staged[i] = target
    return staged, folder


def remove_folder(folder: str) -> None:
    """Remove a folder ``tidy_folder`` made for this build under ``REPORT_SPARK_SCRATCH``."""
    import shutil

    from scripts import locations

    if locations.is_cloud(folder):
        fs = locations.filesystem(folder)
        if fs.exists(folder):
            fs.rm(folder, recursive=True)
    else:
        shutil.rmtree(locations.local_path(folder), ignore_errors=True)
