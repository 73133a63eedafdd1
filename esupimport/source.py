"""Reading an esup-helpdesk database directly, PostgreSQL or MySQL/MariaDB, with plain DB-API.

The source is read-only here and never becomes a Django database: the import opens one
connection, reads each table in primary-key order by keyset pages (`WHERE id > last`), so a long
read never holds a huge cursor and an interrupted run can start again anywhere.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from esupimport import schema


class SourceError(Exception):
    """The source database cannot be read: a wrong URL, a server down, a table missing."""


@dataclass
class Source:
    connection: Any
    dialect: str  # "postgresql" or "mysql"
    url: str = ""  # what `reopen` connects to again (a worker process needs its own connection)

    @classmethod
    def open(cls, url: str, *, writable: bool = False) -> Source:
        """`postgres://user:password@host:port/name` or `mysql://user:password@host:port/name`.

        Read-only unless `writable` (the tests and the benchmark fill a source database)."""
        parts = urlsplit(url)
        scheme = parts.scheme.split("+")[0]
        params = {
            "host": parts.hostname or "127.0.0.1",
            "user": unquote(parts.username or ""),
            "password": unquote(parts.password or ""),
        }
        name = parts.path.lstrip("/")
        try:
            if scheme in ("postgres", "postgresql", "pgsql"):
                import psycopg2

                connection = psycopg2.connect(
                    dbname=name, port=parts.port or 5432, connect_timeout=10, **params
                )
                connection.set_session(readonly=not writable, autocommit=True)
                return cls(connection, "postgresql", url)
            if scheme in ("mysql", "mariadb"):
                import pymysql

                connection = pymysql.connect(
                    database=name,
                    port=parts.port or 3306,
                    charset="utf8mb4",
                    connect_timeout=10,
                    autocommit=True,
                    **params,
                )
                return cls(connection, "mysql", url)
        except Exception as error:  # each driver has its own error classes
            raise SourceError(f"cannot connect to the esup-helpdesk database: {error}") from error
        raise SourceError(
            f"unsupported database URL scheme {parts.scheme!r}: use postgres:// or mysql://"
        )

    def reopen(self) -> Source:
        """A new connection to the same database, for another process (a connection is never
        shared across a fork)."""
        return type(self).open(self.url)

    def close(self) -> None:
        self.connection.close()

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        if self.dialect == "mysql":
            self.connection.ping()
        with self.connection.cursor() as cursor:
            try:
                cursor.execute(sql, params)
            except Exception as error:
                raise SourceError(f"{error}".strip()) from error
            return list(cursor.fetchall())

    def has_table(self, table: str) -> bool:
        if self.dialect == "postgresql":
            sql = "SELECT 1 FROM information_schema.tables WHERE table_name = %s"
        else:
            sql = (
                "SELECT 1 FROM information_schema.tables "
                "WHERE table_schema = DATABASE() AND table_name = %s"
            )
        return bool(self._execute(sql, (table,)))

    def count(self, table: str) -> int:
        if not self.has_table(table):
            return 0
        return int(self._execute(f"SELECT COUNT(*) FROM {table}")[0][0])  # noqa: S608

    def pages(
        self, table: str, size: int = 1000, after: Any = None, upto: Any = None
    ) -> Iterator[list[dict]]:
        """The table's rows as dicts, `size` at a time, in id order, from the id after `after`
        up to `upto` included."""
        if not self.has_table(table):
            return
        names = schema.columns(table)
        select = ", ".join(names)
        last = after
        while True:
            conditions, params = [], []
            if last is not None:
                conditions.append("id > %s")
                params.append(last)
            if upto is not None:
                conditions.append("id <= %s")
                params.append(upto)
            where = f"WHERE {' AND '.join(conditions)} " if conditions else ""
            sql = f"SELECT {select} FROM {table} {where}ORDER BY id LIMIT %s"  # noqa: S608
            rows = self._execute(sql, (*params, size))
            if not rows:
                return
            yield [dict(zip(names, row, strict=True)) for row in rows]
            last = rows[-1][0]

    def split(self, table: str, parts: int) -> list[tuple[Any, Any]]:
        """The table's ids cut into `parts` ranges (after, upto] of about as many rows each: the
        first starts at None (the beginning), the last ends at None (the end)."""
        total = self.count(table)
        bounds: list[Any] = [None]
        for part in range(1, parts):
            before = total * part // parts  # rows in the ranges before this boundary
            if before == 0:
                continue
            found = self._execute(
                f"SELECT id FROM {table} ORDER BY id LIMIT 1 OFFSET %s",  # noqa: S608
                (before - 1,),
            )
            if found and found[0][0] != bounds[-1]:
                bounds.append(found[0][0])
        bounds.append(None)
        return list(zip(bounds, bounds[1:], strict=False))

    def distinct(self, table: str, columns: Sequence[str]) -> set[Any]:
        """Every value the columns hold in the table, NULL left out."""
        if not self.has_table(table):
            return set()
        values: set[Any] = set()
        for column in columns:
            sql = f"SELECT DISTINCT {column} FROM {table} WHERE {column} IS NOT NULL"  # noqa: S608
            values.update(row[0] for row in self._execute(sql))
        return values

    def distinct_pairs(self, table: str, first: str, second: str) -> set[tuple[Any, Any]]:
        if not self.has_table(table):
            return set()
        sql = f"SELECT DISTINCT {first}, {second} FROM {table}"  # noqa: S608
        return {(row[0], row[1]) for row in self._execute(sql)}

    def rows_for(self, table: str, column: str, ids: Sequence[Any]) -> list[dict]:
        """Every row of `table` whose `column` is one of `ids`, in (column, id) order."""
        if not ids or not self.has_table(table):
            return []
        names = schema.columns(table)
        marks = ", ".join(["%s"] * len(ids))
        sql = (
            f"SELECT {', '.join(names)} FROM {table} "  # noqa: S608
            f"WHERE {column} IN ({marks}) ORDER BY {column}, id"
        )
        return [dict(zip(names, row, strict=True)) for row in self._execute(sql, list(ids))]

    # --- Writing: only the tests and the benchmark build a source database ------------------

    def create_schema(self) -> None:
        with self.connection.cursor() as cursor:
            for statement in schema.ddl(self.dialect):
                cursor.execute(statement)

    def insert(self, table: str, rows: list[dict]) -> None:
        if not rows:
            return
        names = list(rows[0])
        sql = (
            f"INSERT INTO {table} ({', '.join(names)}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(names))})"
        )
        with self.connection.cursor() as cursor:
            if self.dialect == "postgresql":
                from psycopg2.extras import execute_batch

                execute_batch(cursor, sql, [tuple(row[n] for n in names) for row in rows], 500)
            else:
                cursor.executemany(sql, [tuple(row[n] for n in names) for row in rows])
