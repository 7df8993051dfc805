"""Raw bulk inserts for loaders: COPY on PostgreSQL, executemany elsewhere.

Django's bulk_create spends most of a national load (665k units) building model instances;
loaders that already hold plain tuples write them straight to the table here.
"""

from django.db import connection


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
