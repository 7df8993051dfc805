"""Compiled statements kept per process, for the grouped aggregates the dashboards run on every request.

Django spends more time building a statement of a dozen filtered aggregates (resolving each filter,
compiling each expression) than PostgreSQL spends running it: on a city's dashboard, about a third of
the page. `values(key, build)` runs the statement `build()` describes and keeps its compiled SQL,
parameters and result converters under `key`, so the next request with the same key runs the same
SQL without building it again. The key must determine the statement: `rows_key(queryset)` and
`spec_key(value)` describe a queryset's rows and a measure (a Q, an aggregate, an expression) by
their parts — tables, joins, columns, lookups, plain values — and raise UnkeyableError for anything they
cannot describe exactly (a subquery, a raw SQL fragment, an extra(), a slice…): the caller then builds
the statement as before. Nothing here caches results: every call runs its statement.
"""

import contextlib
import datetime
import uuid
from collections import OrderedDict
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import F, Model, Q, QuerySet
from django.db.models.expressions import BaseExpression, Col
from django.db.models.fields import Field
from django.db.models.lookups import Lookup
from django.db.models.sql.datastructures import BaseTable, Join
from django.db.models.sql.query import Query
from django.db.models.sql.where import WhereNode

LIMIT = 2048  # statements kept per process (least recently used dropped)
_compiled: OrderedDict = OrderedDict()
PLAIN = (str, int, float, bool, Decimal, datetime.date, datetime.datetime, datetime.time, uuid.UUID, type(None))


class UnkeyableError(Exception):
    """The statement cannot be described by a key: build it every time."""


def spec_key(value):
    """A hashable description of a measure or a lookup's value that two values share only if they give
    the same SQL and parameters (the type is part of it: 1, True and 1.0 differ)."""
    if isinstance(value, PLAIN):
        return (type(value), value)
    if isinstance(value, (list, tuple, set, frozenset)):
        items = tuple(spec_key(v) for v in value)
        return (type(value), tuple(sorted(items, key=repr)) if isinstance(value, (set, frozenset)) else items)
    if isinstance(value, Q):
        children = tuple((c[0], spec_key(c[1])) if isinstance(c, tuple) else spec_key(c) for c in value.children)
        return (Q, value.connector, value.negated, children)
    if isinstance(value, Model):
        return (Model, value._meta.label, value.pk)
    if isinstance(value, F) and type(value) is F:
        return (F, value.name)
    if isinstance(value, Field):
        _name, path, args, kwargs = value.deconstruct()
        return (Field, path, spec_key(args), spec_key(tuple(sorted(kwargs.items()))))
    if isinstance(value, BaseExpression) and not isinstance(value, Query):
        if getattr(value, "query", None) is not None or getattr(value, "subquery", False):
            raise UnkeyableError(type(value).__name__)
        path, args, kwargs = value.deconstruct()  # type: ignore[attr-defined]  # @deconstructible
        return (type(value), path, spec_key(args), spec_key(tuple(sorted(kwargs.items()))))
    raise UnkeyableError(type(value).__name__)


def _where_key(node):
    if isinstance(node, WhereNode):
        return (WhereNode, node.connector, node.negated, tuple(_where_key(child) for child in node.children))
    if isinstance(node, Lookup):
        return (type(node), _column_key(node.lhs), _rhs_key(node.rhs))
    raise UnkeyableError(type(node).__name__)


def _column_key(expression):
    if type(expression) is Col:
        return (Col, expression.alias, expression.target.model._meta.label, expression.target.attname)
    raise UnkeyableError(type(expression).__name__)


def _rhs_key(value):
    if type(value) is Col:
        return _column_key(value)
    return spec_key(value)


def _table_key(table):
    if type(table) is BaseTable:
        return (BaseTable, table.table_name, table.table_alias)
    if type(table) is Join and table.filtered_relation is None:
        field = table.join_field
        return (
            Join,
            table.table_name,
            table.table_alias,
            table.parent_alias,
            table.join_type,
            table.nullable,
            field.model._meta.label,  # type: ignore[attr-defined]
            type(field).__name__,
            getattr(field, "name", None),
            getattr(field, "related_name", None),
        )
    raise UnkeyableError(type(table).__name__)


def rows_key(queryset):
    """A hashable description of the rows `queryset` selects (its model, tables, joins and filters),
    for a statement built on top of it. Raises UnkeyableError for what it cannot describe exactly."""
    if not isinstance(queryset, QuerySet):
        queryset = queryset.all()
    query = queryset.query
    if (
        query.annotations
        or query.extra
        or query.extra_tables
        or query.combinator
        or query.is_sliced
        or query.distinct
        or query.select_for_update
        or query.values_select
    ):
        raise UnkeyableError("more than rows and filters")
    try:
        return (
            query.model._meta.label,
            queryset.db,
            _where_key(query.where),
            tuple((alias, _table_key(table)) for alias, table in query.alias_map.items()),
        )
    except (AttributeError, TypeError) as error:
        raise UnkeyableError(str(error)) from error


def values(key, build):
    """The rows (dicts, as values() gives them) of the values() queryset `build()` returns; its compiled
    statement is kept under `key` (None: built every time, e.g. when the caller could not key it)."""
    entry = _compiled.get(key) if key is not None else None
    if entry is None:
        queryset = build()
        query = queryset.query
        compiler = query.get_compiler(using=queryset.db)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return []
        names = [*query.extra_select, *query.values_select, *query.annotation_select]
        entry = (queryset.db, compiler, sql, params, names)
        if key is not None:
            _compiled[key] = entry
            if len(_compiled) > LIMIT:
                _compiled.popitem(last=False)
    else:
        with contextlib.suppress(KeyError):  # dropped by another thread meanwhile: it is still this statement
            _compiled.move_to_end(key)
    db, compiler, sql, params, names = entry
    with connections[db].cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    return [dict(zip(names, row, strict=True)) for row in compiler.results_iter(results=[fetched])]


def clear():
    _compiled.clear()
