"""Reads of the audit log that other apps rely on."""

from __future__ import annotations

from oila.audit.models import AuditEvent


def last_seq() -> int:
    """The sequence number of the latest event (0 for an empty log). Events are numbered in the
    order their transactions commit (services.record holds the chain's lock until then)."""
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def written_since(seq: int) -> bool:
    """Whether any write was audited after event `seq`, other than the transfer app's own
    bookkeeping of uploads, imports and exports (which write nothing in the registry)."""
    return (
        AuditEvent.objects.filter(seq__gt=seq, kind=AuditEvent.Kind.WRITE)
        .exclude(action__startswith="transfer.")
        .exists()
    )
