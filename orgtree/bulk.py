"""Raw bulk inserts for loaders: COPY on PostgreSQL, executemany elsewhere.

Django's bulk_create spends most of a national load (665k units) building model instances;
loaders that already hold plain tuples write them straight to the table here.
"""

from contextlib import contextmanager

from django.db import connection, transaction

from federation import datacache

# A load at least this large into a table it at least doubles builds the table's indexes and foreign
# keys afterwards (`rebuilt_after`).
BULK_LOAD_ROWS = 50_000
# autovacuum's defaults (autovacuum_analyze_threshold, autovacuum_analyze_scale_factor).
ANALYZE_ROWS, ANALYZE_SHARE = 50, 0.1


def allocate_ids(model, count):
    """`count` fresh primary keys for `model` (call inside the loader's transaction)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Drawn in one statement and read back as runs of consecutive values (one run unless
            # another writer drew from the sequence meanwhile): not 665k rows over the wire.
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            sequence = cursor.fetchone()[0]  # looked up once, not per value (that costs 5 s nationally)
            cursor.execute(
                "SELECT min(id), max(id) FROM (SELECT id, id - row_number() OVER (ORDER BY id) AS run FROM "
                "(SELECT nextval(%s::regclass) AS id FROM generate_series(1, %s)) AS drawn"
                ") AS numbered GROUP BY run ORDER BY 1",
                [sequence, count],
            )
            return [pk for first, last in cursor.fetchall() for pk in range(first, last + 1)]
        # SQLite serializes writers, so max(id) cannot move under us within the transaction.
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
        start = cursor.fetchone()[0] + 1
        return list(range(start, start + count))


def insert_rows(model, columns, rows):
    """Insert tuples of `columns` values into `model`'s table."""
    table = model._meta.db_table
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            datacache.written()  # a COPY passes no execute wrapper
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        placeholders = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders})", rows)  # noqa: S608


def literal(value):
    """A datetime or date repeated on every row, as `insert_rows` writes it fastest: on PostgreSQL its
    ISO text, which COPY parses (psycopg formats a datetime in ~3 µs, 2 s per 665k rows)."""
    return value.isoformat() if connection.vendor == "postgresql" else value


@contextmanager
def rebuilt_after(models, count, referenced):
    """Around a load of about `count` rows into each of `models`' tables; one transaction (savepoint).

    On PostgreSQL, a table that the load more than doubles (by at least BULK_LOAD_ROWS) loses its
    secondary indexes and its foreign keys to `referenced` first, and gets them back at the end,
    as the PostgreSQL manual advises for populating a database: building an index once is a sort,
    maintaining it is a random write per row, and a foreign key re-added is checked by one join
    instead of one query per row at COMMIT (the national load: 665k units with five links each).
    Re-adding validates every row, so a bad row still rolls the whole load back, schema changes
    included. Those tables stay locked (ACCESS EXCLUSIVE) until the transaction ends, as befits a
    load into an empty database. Smaller loads, and SQLite, run as they are.
    """
    with transaction.atomic():
        dropped = _drop(models, count, referenced) if connection.vendor == "postgresql" else None
        yield
        if dropped:
            _restore(*dropped)


def _drop(models, count, referenced):
    """Drop what `rebuilt_after` rebuilds; returns (index definitions, foreign keys) or None."""
    if count < BULK_LOAD_ROWS:
        return None
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        tables = []
        for model in models:
            table = model._meta.db_table
            cursor.execute(f"SELECT count(*) FROM (SELECT 1 FROM {quote(table)} LIMIT %s) AS head", [count])  # noqa: S608
            if cursor.fetchone()[0] < count:
                tables.append(table)
        if not tables:
            return None
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid)",
            [tables],
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), confrelid = %s::regclass, "
            "condeferred FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])",
            [referenced._meta.db_table, tables],
        )
        keys = cursor.fetchall()
        # Checks still pending on these tables would forbid the ALTER TABLE: run them now.
        if keys:
            cursor.execute(f"SET CONSTRAINTS {', '.join(quote(k[1]) for k in keys)} IMMEDIATE")
        for table, name, _definition, to_referenced, _deferred in keys:
            if to_referenced:
                cursor.execute(f"ALTER TABLE {quote(table)} DROP CONSTRAINT {quote(name)}")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
    return indexes, keys


def _restore(indexes, keys):
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")  # each index is built in one sort
        for _name, definition in indexes:
            cursor.execute(definition)
        for table, name, definition, to_referenced, _deferred in keys:
            if to_referenced:
                cursor.execute(f"ALTER TABLE {quote(table)} ADD CONSTRAINT {quote(name)} {definition}")
        deferred = [quote(name) for _table, name, _definition, _to_referenced, deferred in keys if deferred]
        if deferred:
            cursor.execute(f"SET CONSTRAINTS {', '.join(deferred)} DEFERRED")


def analyze(models, count):
    """ANALYZE the tables a write of about `count` rows changed by autovacuum's own measure (50 rows
    plus 10% of the table), at once: the first query after a national load would otherwise be
    planned without statistics (727 ms instead of 97 ms for the national rollup). On PostgreSQL only."""
    if connection.vendor != "postgresql" or not count:
        return
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            cursor.execute("SELECT greatest(reltuples, 0) FROM pg_class WHERE oid = %s::regclass", [table])
            if count > ANALYZE_ROWS + ANALYZE_SHARE * cursor.fetchone()[0]:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
