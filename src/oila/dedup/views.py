"""Duplicate review pages for supervisors and programme managers: the queue, one pair side by side,
merging, "not the same person", undoing a merge."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from oila.common.errors import ApplicationError
from oila.dedup import selectors, services
from oila.dedup.forms import MergeForm, NoteForm

PER_PAGE = 25


def _reviewer(request: HttpRequest) -> None:
    if not services.can_review(request.user):
        raise Http404


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    _reviewer(request)
    page = Paginator(selectors.candidate_list(user=request.user), PER_PAGE).get_page(
        request.GET.get("page")
    )
    merges = selectors.merge_list(user=request.user)
    context = {"page": page, "merges": merges, "now": timezone.now()}
    return render(request, "dedup/queue.html", context)


@login_required
@require_GET
def candidate(request: HttpRequest, candidate_id: UUID) -> HttpResponse:
    pair = selectors.candidate_get(user=request.user, candidate_id=candidate_id, audit_read=True)
    context = {
        "pair": pair,
        "counts_a": selectors.related_counts(person=pair.person_a),
        "counts_b": selectors.related_counts(person=pair.person_b),
        "form": MergeForm(candidate=pair),
        "note_form": NoteForm(),
    }
    return render(request, "dedup/candidate.html", context)


@login_required
@require_POST
def not_same(request: HttpRequest, candidate_id: UUID) -> HttpResponse:
    pair = selectors.candidate_get(user=request.user, candidate_id=candidate_id)
    form = NoteForm(request.POST)
    form.is_valid()
    try:
        services.candidate_not_same(
            actor=request.user, candidate=pair, note=form.cleaned_data.get("note", "")
        )
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect("dedup:candidate", pair.pk)
    messages.success(
        request, _("Marked as two different people; this pair will not be proposed again.")
    )
    return redirect("dedup:queue")


@login_required
@require_POST
def merge(request: HttpRequest, candidate_id: UUID) -> HttpResponse:
    pair = selectors.candidate_get(user=request.user, candidate_id=candidate_id)
    form = MergeForm(request.POST, candidate=pair)
    if form.is_valid():
        survivor, merged = form.people()
        try:
            done = services.person_merge(
                actor=request.user,
                survivor=survivor,
                merged=merged,
                candidate=pair,
                note=form.cleaned_data["note"],
            )
        except (ApplicationError, ValidationError) as exc:
            messages.error(request, str(getattr(exc, "message", exc)))
        else:
            messages.success(
                request,
                _("The records were merged. This can be undone until %(date)s.")
                % {"date": done.undo_until.date()},
            )
            return redirect(survivor)
    context = {
        "pair": pair,
        "counts_a": selectors.related_counts(person=pair.person_a),
        "counts_b": selectors.related_counts(person=pair.person_b),
        "form": form,
        "note_form": NoteForm(),
    }
    return render(request, "dedup/candidate.html", context, status=422)


@login_required
@require_POST
def undo(request: HttpRequest, merge_id: UUID) -> HttpResponse:
    done = selectors.merge_get(user=request.user, merge_id=merge_id)
    try:
        services.merge_undo(actor=request.user, merge=done)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The merge was undone: the two records are separate again."))
    return redirect("dedup:queue")
