"""Spark: the build's SQL on Apache Spark, when ``REPORT_ENGINE=spark`` (docs/spark.md).

On Spark run the raw files' reading, the gate's profile and checks, the clean
step (Spark writes the tidy table as Parquet), the passes over the tidy rows,
every summary, the sample candidates and both samples. What comes back to the
driver is small whatever the raw size: the gate's counts and examples, the
summaries and the samples. Training, pinning and the comparison with the last
build then run as with DuckDB.

The SQL files stay DuckDB's, the one definition: ``SparkConnection`` turns
each query into Spark SQL with sqlglot (``translate``), after writing out the
two DuckDB constructs Spark has no form of from the values the build set:
``getvariable('name')`` and ``COLUMNS(getvariable('name'))`` over a list of
column names (``expand``). What has no translation has a Spark form beside
it: ``sql/summaries/correlations.spark.sql`` and the gate's repeated-key
check (``scripts/validate.py``). ``tests/test_spark.py`` runs both engines on
the same inputs and fails if a pin or a gate message differs.

The cluster comes from Spark's own settings: ``SPARK_REMOTE`` (Spark Connect,
``sc://host:port``) or the master URL ``REPORT_SPARK_MASTER`` (default
``local[*]``); credentials come only from the environment Spark reads.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from scripts import config
from scripts.errors import ConfigError, SourceError, first_line

DIALECT = "spark"
# Spark's default of 200 shuffle partitions suits a cluster, not a laptop: a
# local master gets a few per core (adaptive execution coalesces them further).
LOCAL_SHUFFLE_PARTITIONS_PER_CORE = 2
# Spark's log, quiet: the build says what went wrong itself (no Java stack traces on stderr).
LOG_CONFIG = Path(__file__).with_name("spark-log4j2.properties")
# Columns the raw reader adds to place a row in its file (dropped from the raw view).
_BLOCK, _SEQUENCE = "__block", "__sequence"


def is_spark(con) -> bool:
    """Whether ``con`` is a ``SparkConnection`` (else it is DuckDB's own)."""
    return getattr(con, "dialect", None) == DIALECT


def connect() -> SparkConnection:
    """A ``SparkConnection`` to the cluster the environment names (``config.get_spark_cluster``)."""
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
    except Exception as exc:  # no Java, a wrong master URL, an unreachable Spark Connect server
        where = cluster.get("remote") or cluster["master"]
        raise ConfigError(
            f"cannot start Spark at {where} ({config.ENV_SPARK_MASTER} / {config.ENV_SPARK_REMOTE}): "
            f"{first_line(exc)}; a local master needs Java 17 or later (JAVA_HOME)"
        ) from None
    return SparkConnection(session)


class SparkConnection:
    """The part of a DuckDB connection the build's steps use, on a Spark session.

    ``execute`` takes the DuckDB SQL of ``scripts/sql`` (and of the gate) and
    runs it as Spark SQL; ``SET VARIABLE`` keeps the value for ``expand``.
    """

    dialect = DIALECT

    def __init__(self, session):
        self.session = session
        self.variables: dict[str, object] = {}
        self.recorded_file_columns: dict[str, set[str]] = {}

    def execute(self, query: str, parameters: list | None = None) -> Result:
        text = query.strip()
        variable = re.fullmatch(r"SET VARIABLE (\w+) = \?", text)
        if variable:
            self.variables[variable.group(1)] = parameters[0]
            return Result(None)
        if parameters:
            raise ValueError("SparkConnection.execute takes parameters only in SET VARIABLE")
        created = re.match(r"CREATE OR REPLACE TEMP (TABLE|VIEW) (\w+) AS\s", text)
        if created:
            frame = self.sql(text[created.end() :])
            if created.group(1) == "TABLE":  # computed now, once, and kept without its lineage
                frame = frame.localCheckpoint()
            frame.createOrReplaceTempView(created.group(2))
            return Result(None)
        inserted = re.match(r"INSERT INTO (\w+)\s", text)
        if inserted:  # the table's rows and the query's, kept as one table again
            name = inserted.group(1)
            frame = self.session.table(name).unionByName(self.sql(text[inserted.end() :])).localCheckpoint()
            frame.createOrReplaceTempView(name)
            return Result(None)
        described = re.fullmatch(r"DESCRIBE (\w+)", text)
        if described:
            fields = self.session.table(described.group(1)).schema.fields
            return Result(None, [(f.name, f.dataType.simpleString()) for f in fields])
        return Result(self.sql(query))  # a file's text keeps its name (sql.Query)

    def sql(self, query: str):
        """A Spark DataFrame for a query written in DuckDB's SQL, or for a file of
        ``scripts/sql`` (``sql.load``) its Spark form when it has one."""
        from scripts import sql

        form = sql.spark_form(query.name) if isinstance(query, sql.Query) else None
        if form is not None:
            return self.session.sql(translate(form, self.variables, read=DIALECT))
        return self.session.sql(translate(query, self.variables))

    def register(self, name: str, frame) -> None:
        """A small pandas table as the temporary view ``name`` (as DuckDB's ``register``)."""
        self.session.createDataFrame(frame).createOrReplaceTempView(name)

    def unregister(self, name: str) -> None:
        self.session.catalog.dropTempView(name)


class Result:
    """The rows of a Spark query, fetched as DuckDB's results are."""

    def __init__(self, frame, rows: list[tuple] | None = None):
        self._frame, self._rows = frame, rows

    def fetchall(self) -> list[tuple]:
        if self._rows is None:
            self._rows = [tuple(row) for row in self._frame.collect()] if self._frame is not None else []
        return self._rows

    def fetchone(self):
        rows = self.fetchall()
        return rows[0] if rows else None

    def df(self):
        """The rows as pandas, converted by DuckDB from Arrow: the same column types
        as DuckDB's own results, so a pin's schema does not depend on the engine."""
        import duckdb

        return duckdb.arrow(self._frame.toArrow()).df()


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


def register_raw(con: SparkConnection, sources: list[str]) -> None:
    """The views ``raw_observations`` and ``raw_numbered`` on Spark, as ``ingest.register_raw`` defines them.

    Each file is read by Spark itself (CSV as text columns named by its header,
    the standard dialect; Parquet with its own types), so the data stays where
    it is. A CSV line Spark cannot split into the header's fields stops the read
    (``FAILFAST``). ``raw_numbered`` numbers each file's data rows from 1 in
    file order: by the start of the block a row was read from, then the order it
    was read in.
    """
    from functools import reduce

    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType, StructField, StructType

    from scripts import ingest

    frames, columns = [], {}
    for location in sources:
        path = _spark_path(location)
        try:
            if ingest.file_format(location) == "csv":
                names = ingest.csv_header(location)
                schema = StructType([StructField(name, StringType()) for name in names])
                frame = con.session.read.csv(
                    path, schema=schema, header=True, enforceSchema=True, mode="FAILFAST", quote='"', escape='"'
                )
                text = names
            else:
                frame = con.session.read.parquet(path)
                names = frame.columns
                text = names if all(f.dataType == StringType() for f in frame.schema.fields) else []
            marked = [_missing_as_null(F, name) if name in text else F.col(_quoted(name)) for name in names]
            frames.append(
                frame.select(
                    *marked,
                    F.lit(location).alias(ingest.SOURCE_FILE),
                    F.col("_metadata.file_block_start").alias(_BLOCK),
                    F.monotonically_increasing_id().alias(_SEQUENCE),
                )
            )
        except SourceError:
            raise
        except Exception as exc:  # Spark's AnalysisException: no such file, not Parquet …
            shown = ingest.short_name(location)
            raise SourceError(f"cannot read the raw data from {shown}: {first_line(exc)}") from None
        columns[location] = set(names)
    positioned = reduce(lambda a, b: a.unionByName(b, allowMissingColumns=True), frames)
    positioned.drop(_BLOCK, _SEQUENCE).createOrReplaceTempView(ingest.RAW_VIEW)
    positioned.createOrReplaceTempView("raw_positioned")
    con.session.sql(
        f"SELECT * EXCEPT ({_BLOCK}, {_SEQUENCE}), row_number() OVER "
        f"(PARTITION BY {ingest.SOURCE_FILE} ORDER BY {_BLOCK}, {_SEQUENCE}) AS {ingest.ROW_IN_FILE} "
        "FROM raw_positioned"
    ).createOrReplaceTempView(ingest.NUMBERED_VIEW)
    con.recorded_file_columns = columns


def _missing_as_null(F, name: str):
    """A text column with the LTER's missing-value markers as NULL (``ingest.MISSING_MARKERS``)."""
    from scripts.ingest import MISSING_MARKERS

    column = F.col(_quoted(name))
    return F.when(F.trim(column).isin(MISSING_MARKERS), None).otherwise(column).alias(name)


def _quoted(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _spark_path(location: str) -> str:
    """A location as Spark's readers take it: a local path made absolute; any other as it is."""
    from scripts import locations

    if locations.is_local(location):
        return str(locations.local_path(location).resolve())
    return location


def read_failure(con: SparkConnection, exc: Exception, sources: list[str]) -> SourceError | None:
    """The message for a Spark error met while reading the raw files, if it is one: the
    CSV line that does not split into the header's fields, named as DuckDB names it.

    Spark's FAILFAST error names the file but not the line, so the line is found
    by reading that file again with the bad lines kept aside (only on failure).
    """
    from scripts import ingest

    text = str(exc)
    if "FAILED_READ_FILE" not in text and "Malformed" not in text:
        return None
    failed = re.search(r"while reading file (\S+?)\.?\s", text)
    location = _source_of(failed.group(1), sources) if failed else None
    if location is None or ingest.file_format(location) != "csv":
        shown = ingest.short_name(failed.group(1)) if failed else "a source"
        return SourceError(f"cannot read the raw data: {shown} is damaged or incomplete ({first_line(exc)})")
    found = _first_malformed_line(con, location)
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


def _first_malformed_line(con: SparkConnection, location: str) -> tuple[int, int, int, str] | None:
    """``(line, its fields, the header's fields, the line)`` of the first line of a CSV source
    that does not split into the header's fields, or None."""
    import csv

    from pyspark.sql import Window
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType, StructField, StructType

    from scripts import ingest

    names = ingest.csv_header(location)
    bad = "__malformed"
    schema = StructType([StructField(name, StringType()) for name in names] + [StructField(bad, StringType())])
    frame = con.session.read.csv(
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


def tidy_folder(con: SparkConnection, workdir) -> str:
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


def write_parquet(con: SparkConnection, query: str, folder) -> None:
    """Write the result of a query (DuckDB SQL) as a folder of Parquet files (``clean.gather``
    rewrites them as the one zstd file of the pin)."""
    con.sql(query).write.parquet(str(folder), mode="overwrite")  # Spark's default, snappy: half zstd's time
