"""The public programme page and its gallery's photo files: no sign-in, no personal data. And,
for the programme's staff, the page that adds photos to the gallery and removes them.

A programme whose page is not published, and a photo whose people's consent is not current, are
"not found" (the gallery is re-checked for every file request, not taken from the page's cache).
"""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from oila.accounts.models import Programme
from oila.common.uploads import upload_response
from oila.public import figures, selectors, services
from oila.public.forms import PhotoForm
from oila.public.visibility import works_on
from oila.registry.views.base import form_page, post_data


@require_GET
def programme_page(request: HttpRequest, slug: str) -> HttpResponse:
    programme = selectors.published_programme(slug=slug)
    if programme is None:
        raise Http404
    data = selectors.public_data(programme=programme)
    context = {
        "programme": programme,
        "lines": figures.beneficiary_lines(data),
        "outcomes": figures.indicator_rows(data),
        "photos": data.photos,
        "threshold": data.threshold,
        "can_manage": works_on(request.user, programme),
    }
    return render(request, "public/programme.html", context)


@require_GET
def photo_file(request: HttpRequest, slug: str, photo_id: UUID) -> HttpResponse:
    programme = selectors.published_programme(slug=slug)
    photo = selectors.gallery_photo(programme=programme, photo_id=photo_id) if programme else None
    if photo is None:
        raise Http404
    response = upload_response(name=photo.file_name, download_name="photo")
    # Shown in the page (an <img>), never as a page of its own: the upload rules' sandboxing
    # policy and nosniff stay.
    response["Content-Disposition"] = response["Content-Disposition"].replace(
        "attachment", "inline", 1
    )
    return response


@login_required
def photos_manage(request: HttpRequest, slug: str) -> HttpResponse:
    """The programme's photos for its staff (shown or not, and why), and the form to add one."""
    programme = selectors.staff_programme(user=request.user, slug=slug)
    if programme is None:
        raise Http404
    people = selectors.photo_candidates(user=request.user, programme=programme)
    form = PhotoForm(post_data(request), request.FILES or None, people=people)
    return form_page(
        request,
        form,
        template="public/photos.html",
        context={"programme": programme, "photos": selectors.programme_photos(programme=programme)},
        save=lambda: _upload(request, programme, form),
        success=_("The photo was added."),
    )


def _upload(request: HttpRequest, programme: Programme, form: PhotoForm) -> str:
    services.photo_upload(
        actor=request.user,  # type: ignore[arg-type]
        programme=programme,
        file=form.cleaned_data["file"],
        caption=form.cleaned_data["caption"],
        subjects=list(form.cleaned_data["subjects"]),
        taken_on=form.cleaned_data["taken_on"],
    )
    return reverse("public:photos", args=[programme.slug])


@login_required
@require_POST
def photo_delete(request: HttpRequest, slug: str, photo_id: UUID) -> HttpResponse:
    programme = selectors.staff_programme(user=request.user, slug=slug)
    photo = (
        selectors.programme_photos(programme=programme).filter(pk=photo_id).first()
        if programme
        else None
    )
    if programme is None or photo is None:
        raise Http404
    services.photo_delete(actor=request.user, photo=photo)  # type: ignore[arg-type]
    messages.success(request, _("The photo was removed."))
    return redirect("public:photos", programme.slug)
