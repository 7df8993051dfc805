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
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [row[0] for row in cursor.fetchall()]
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
