"""Inserting many new rows of one model quickly (bulk imports).

`insert_many` writes what `Model.objects.bulk_create(objs)` would write, the same columns and the same
values, but builds the INSERT statement once and sends every row's values with `executemany`: Django's
bulk_create compiles the SQL of every value of every row, which costs more than the database's own
work for a register of 100 000 people. No signals are sent (bulk_create sends none either).
"""

from __future__ import annotations

import datetime as dt
import gc
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from operator import attrgetter
from typing import Any, TypeVar

from django.db import connections, router
from django.db.models import Field, Model, fields, signals
from django.db.models.base import ModelState
from django.utils import timezone

# Field classes (exactly these, not subclasses) whose value of these types goes to the database as
# it is: get_db_prep_save only checks the type (CharField.to_python returns a str unchanged).
_AS_IS: dict[type[Field[Any, Any]], tuple[type, ...]] = {
    fields.CharField: (str,),
    fields.TextField: (str,),
    fields.SlugField: (str,),
    fields.BooleanField: (bool,),
    fields.IntegerField: (int,),
    fields.SmallIntegerField: (int,),
    fields.PositiveIntegerField: (int,),
    fields.PositiveSmallIntegerField: (int,),
    fields.BigIntegerField: (int,),
}


M = TypeVar("M", bound=Model)

# Generation-0 threshold while a bulk job runs (Python's default is 700).
BULK_GC_THRESHOLD = 50_000
_gc_lock = threading.Lock()
_gc_jobs = 0
_gc_saved: tuple[tuple[int, ...], bool] = ((), False)


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Garbage collection paced for a bulk job (ADR 0024): what is alive when the job starts is
    frozen (collections skip it; a file's rows, lookups and report) and a collection of the
    youngest objects waits for 50 000 new ones instead of 700. A 100 000-row import otherwise
    spends about an eighth of its writes walking objects that stay alive. Undone when the last
    job running in the process ends; a process that froze its objects already (a web worker,
    ADR 0020) keeps them frozen and only gets the threshold."""
    global _gc_jobs, _gc_saved
    with _gc_lock:
        if _gc_jobs == 0:
            thaw = gc.get_freeze_count() == 0
            _gc_saved = (gc.get_threshold(), thaw)
            if thaw:
                gc.freeze()
            threshold = gc.get_threshold()
            gc.set_threshold(max(BULK_GC_THRESHOLD, threshold[0]), *threshold[1:])
        _gc_jobs += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_jobs -= 1
            if _gc_jobs == 0:
                threshold, thaw = _gc_saved
                gc.set_threshold(*threshold)
                if thaw:
                    gc.unfreeze()


_IMMUTABLE = (type(None), str, int, bool, float, Decimal, dt.date, dt.datetime, uuid.UUID)


def _preparer(field: Field[Any, Any], connection: Any) -> Callable[[Model], Any]:
    """How one field's value of an unsaved instance becomes the INSERT's parameter: what
    `field.get_db_prep_save(field.pre_save(obj, True))` gives, without the calls where they change
    nothing (a register of 100 000 people has five million values)."""
    get = attrgetter(field.attname)
    target = field.target_field if field.is_relation and field.many_to_one else field
    if type(target) is fields.UUIDField:
        native = connection.features.has_native_uuid_field

        def prepare_uuid(obj: Model) -> Any:  # UUIDField.get_db_prep_value for a UUID
            value = get(obj)
            if type(value) is uuid.UUID:
                return value if native else value.hex
            return field.get_db_prep_save(value, connection=connection)

        return prepare_uuid
    if type(field) in (fields.DateTimeField, fields.DateField) and (
        getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    ):
        # pre_save sets "now" on each instance; one moment serves the whole insert.
        now = timezone.now() if type(field) is fields.DateTimeField else dt.date.today()
        prepared = field.get_db_prep_save(now, connection=connection)

        def prepare_now(obj: Model) -> Any:
            setattr(obj, field.attname, now)
            return prepared

        return prepare_now
    as_is = _AS_IS.get(type(field))
    if as_is is None and type(field).__module__.startswith("django.db.models"):
        # Django's own fields give the same parameter for the same value: rows sharing one value
        # (a date, an empty JSON) prepare it once. Not for other fields (encryption is randomised).
        last: list[Any] = [object(), None]

        def prepare_same(obj: Model) -> Any:
            value = field.pre_save(obj, True)
            if value is last[0] and type(value) in _IMMUTABLE:
                return last[1]
            last[0], last[1] = value, field.get_db_prep_save(value, connection=connection)
            return last[1]

        return prepare_same
    if as_is is None:
        return lambda obj: field.get_db_prep_save(field.pre_save(obj, True), connection=connection)

    def prepare(obj: Model) -> Any:
        value = get(obj)
        if value is None or type(value) in as_is:
            return value
        return field.get_db_prep_save(value, connection=connection)

    return prepare


def instance_maker(model: type[M]) -> Callable[..., M]:
    """A maker of unsaved instances for a bulk write's many rows: `make(**kwargs)` builds what
    `model(**kwargs)` builds (fields set by name or attname, defaults for the rest), without
    Model.__init__'s general path, which costs more than the row's insert. Defaults that are
    callables are called for each instance; a model with init signal receivers gets its own
    constructor. tests/transfer/test_bulk_services.py compares the two."""
    if signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model):
        return model
    fixed: dict[str, Any] = {}
    called: list[tuple[str, Callable[[], Any]]] = []
    for field in model._meta.concrete_fields:
        if field.has_default() and callable(field.default):
            called.append((field.attname, field.default))
        else:
            fixed[field.attname] = field.get_default()

    def make(**kwargs: Any) -> M:
        obj = model.__new__(model)
        obj._state = ModelState()
        values = obj.__dict__
        values.update(fixed)
        for attname, default in called:
            values[attname] = default()
        for name, value in kwargs.items():
            setattr(obj, name, value)  # a relation by name goes through its descriptor
        return obj

    return make


def insert_many(model: type[Model], objs: Sequence[Model], *, batch_size: int = 2000) -> None:
    """INSERT unsaved instances of `model`. Auto-increment keys left empty are filled by the
    database and not read back (use bulk_create when the caller needs them)."""
    _insert(model, objs, batch_size=batch_size, instances=True)


def insert_values(model: type[Model], rows: Sequence[Any], *, batch_size: int = 2000) -> None:
    """INSERT rows of `model` given as plain objects with an attribute per field (its attname):
    what insert_many writes for instances with those values, without building the instances (the
    audit log's many events of a bulk import). Defaults are not applied: every field is given."""
    _insert(model, rows, batch_size=batch_size, instances=False)


def _insert(model: type[Model], objs: Sequence[Any], *, batch_size: int, instances: bool) -> None:
    if not objs:
        return
    db = router.db_for_write(model)
    connection = connections[db]
    opts = model._meta
    fields = [f for f in opts.concrete_fields if not getattr(f, "generated", False)]
    pk = attrgetter(opts.pk.attname)
    if any(pk(obj) is None for obj in objs):
        if not all(pk(obj) is None for obj in objs):
            raise ValueError("insert_many: either every primary key is set or none is")
        fields = [f for f in fields if f is not opts.pk]
    if any(hasattr(f, "get_placeholder") for f in fields):
        if not instances:
            raise ValueError(f"insert_values: {model.__name__} needs bulk_create")
        model.objects.using(db).bulk_create(objs, batch_size=batch_size)
        return
    preparers = [_preparer(f, connection) for f in fields]
    check = _related_check(model, [f for f in fields if f.is_relation])

    def rows() -> Iterator[list[Any]]:
        for obj in objs:
            if instances:
                check(obj)
            yield [prepare(obj) for prepare in preparers]
            if instances:
                obj._state.adding = False
                obj._state.db = db

    insert_prepared(model, [f.column for f in fields], rows(), batch_size=batch_size)


def _related_check(model: type[Model], relations: list[Field[Any, Any]]) -> Callable[[Model], None]:
    """Django's check of each related object assigned to an unsaved instance before it is saved
    (`Model._prepare_related_fields_for_save`: is it saved? is its key copied?), for the model's
    concrete relations. Django's own method compares every field of the model with the list of
    those asked for, which costs more than the check for a register of 100 000 people; a model
    with generic relations keeps it."""
    if any(f.is_relation for f in model._meta.private_fields):
        return lambda obj: obj._prepare_related_fields_for_save(
            operation_name="bulk_create", fields=relations
        )
    plan = [(f, f.cache_name, f.attname, f.target_field.attname) for f in relations]

    def check(obj: Model) -> None:
        cached = obj._state.fields_cache
        for field, cache_name, attname, target in plan:
            related = cached.get(cache_name)
            if related is None:
                continue
            if not related._is_pk_set():
                raise ValueError(
                    "bulk_create() prohibited to prevent data loss due to unsaved related "
                    f"object '{field.name}'."
                )
            if getattr(obj, attname) in field.empty_values:
                setattr(obj, field.name, related)  # saved after it was assigned
            if getattr(related, target) != getattr(obj, attname):
                field.delete_cached_value(obj)  # its key changed since

    return check


def insert_prepared(
    model: type[Model],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    batch_size: int = 2000,
) -> None:
    """INSERT rows of `model` given as lists of database parameters for `columns`, each already what
    `field.get_db_prep_save` gives (the audit log prepares the values its events share once)."""
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    # Table and column names come from the model and are quoted; values go as parameters.
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608  # nosec B608
        quote(model._meta.db_table),
        ", ".join(quote(c) for c in columns),
        ", ".join(["%s"] * len(columns)),
    )
    batch: list[Sequence[Any]] = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(row)
            if len(batch) >= batch_size:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)


def update_many(
    model: type[Model], objs: Sequence[Any], fields: Sequence[str], *, batch_size: int = 2000
) -> None:
    """UPDATE `fields` of saved instances to their current values: what
    `Model.objects.bulk_update(objs, fields)` writes, as one statement sent with `executemany`.
    Any object with the fields' attributes and a `pk` serves (a row read as values)."""
    if not objs:
        return
    db = router.db_for_write(model)
    connection = connections[db]
    opts = model._meta
    columns = [opts.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608  # nosec B608 # quoted names from the model
        quote(opts.db_table),
        ", ".join(f"{quote(f.column)} = %s" for f in columns),
        quote(opts.pk.column),
    )
    rows: list[list[Any]] = []
    with connection.cursor() as cursor:
        for obj in objs:
            rows.append(
                [
                    f.get_db_prep_save(getattr(obj, f.attname), connection=connection)
                    for f in columns
                ]
                + [opts.pk.get_db_prep_save(obj.pk, connection=connection)]
            )
            if len(rows) >= batch_size:
                cursor.executemany(sql, rows)
                rows = []
        if rows:
            cursor.executemany(sql, rows)
