"""Query expressions the ORM lacks, for reads that must stay fast at national scale."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.paginator import Paginator
from django.db.models import (
    BooleanField,
    Count,
    Expression,
    F,
    IntegerField,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils.functional import cached_property


def count_of(rows: QuerySet[Any], outer: str) -> Expression:
    """How many of `rows` (filtered on an OuterRef) there are for each outer row, as a subquery
    (0 when none): counted for the rows read only, where a join with GROUP BY would count for every
    row the query touches. `outer` is the field of `rows` that the OuterRef compares."""
    counted = rows.order_by().values(outer).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


class InSubquery(Expression):
    """`field IN (subquery)`, written so that PostgreSQL can still use an index beside it.

    In an OR (`caseworker = me OR id IN (records a grant opened)`), PostgreSQL runs `IN (subquery)`
    as a filter on every row: a scan of the whole table. Written `id = ANY(ARRAY(subquery))`, the
    subquery runs once, first, and both sides of the OR are index scans (a BitmapOr). Other
    databases get the plain IN. Still one statement: no extra query.
    """

    conditional = True
    output_field = BooleanField()

    def __init__(self, field: str, queryset: QuerySet[Any]) -> None:
        super().__init__(output_field=BooleanField())
        self.lhs: Any = F(field)
        self.subquery: Any = Subquery(queryset)

    def get_source_expressions(self) -> list[Any]:
        return [self.lhs, self.subquery]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        self.lhs, self.subquery = exprs

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        lhs, lhs_params = compiler.compile(self.lhs)
        sub, sub_params = compiler.compile(self.subquery)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(ARRAY{sub})", (*lhs_params, *sub_params)
        return f"{lhs} IN {sub}", (*lhs_params, *sub_params)


class CappedPaginator(Paginator):
    """A paginator that counts at most `cap` rows.

    A list's exact count is one more read of every matching row: at a million people a programme
    manager's filtered list spent most of its time counting 15 000 households. Past the cap the
    page says "more than 1 000" (`capped`) and offers the first `cap` rows; searching or filtering
    narrows the list.
    """

    def __init__(self, object_list: Any, per_page: int, *, cap: int = 1000) -> None:
        super().__init__(object_list, per_page)
        self.cap = cap
        self.capped = False

    def get_page(self, number: Any) -> Any:
        """The page asked for; the first page is read with one row more, so that a list that fits
        on it (a search's few results, a caseworker's filtered list) needs no count."""
        if self.per_page >= self.cap or not _is_first_page(number):
            return super().get_page(number)
        rows = list(self.object_list[: self.per_page + 1])
        if len(rows) <= self.per_page:
            self.__dict__["count"] = len(rows)  # the cached property's value: there are no more
        else:
            self.count  # noqa: B018 (counted now: a template reads `capped` before the count)
        return self._get_page(rows[: self.per_page], 1, self)

    @cached_property
    def count(self) -> int:
        rows: Any = self.object_list  # a QuerySet (the base class types it loosely)
        found = int(rows.order_by().values("pk")[: self.cap + 1].count())
        self.capped = found > self.cap
        return min(found, self.cap)


def _is_first_page(number: Any) -> bool:
    """Whether Paginator.get_page gives the first page for `number` without counting: 1, or not a
    whole number at all (a missing or mistyped ?page=)."""
    try:
        if isinstance(number, float) and not number.is_integer():
            return True
        return int(number) == 1
    except (TypeError, ValueError):
        return True
