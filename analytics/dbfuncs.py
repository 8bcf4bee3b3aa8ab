"""Small database functions Django lacks, written once per backend so results match exactly."""
from django.db import models


class DayNumber(models.Func):
    """Days since 1970-01-01 of a date expression, as an integer: lets the database subtract days
    the same way on SQLite (julianday) and PostgreSQL (date - date is an integer there)."""

    output_field = models.IntegerField()
    arity = 1

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="CAST(julianday(%(expressions)s) - 2440587.5 AS INTEGER)", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="((%(expressions)s)::date - DATE '1970-01-01')", **extra)
