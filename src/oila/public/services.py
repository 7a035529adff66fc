"""Writes for the public programme page: publishing it, and the gallery's photos.

Each service checks the actor, saves, writes its audit event and bumps the programme's public data
version (the page's cache key) in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import transaction
from django.utils.translation import gettext as _

from oila.accounts.models import Programme, Role, User
from oila.accounts.services import programme_public_changed
from oila.audit import services as audit
from oila.common.dates import today
from oila.common.errors import ApplicationError
from oila.common.services import snapshot
from oila.common.uploads import PDF, upload_storage, upload_store
from oila.public.models import Photo
from oila.public.visibility import works_on
from oila.registry.models import Person
from oila.registry.visibility import owned_scope

PUBLISH_FIELDS = ["published", "public_description"]


def _require_manager(actor: User, programme: Programme) -> None:
    if actor.role != Role.MANAGER or not works_on(actor, programme):
        raise PermissionDenied(_("Only a manager of the programme may publish its page."))


@transaction.atomic
def programme_publish(
    *, actor: User, programme: Programme, published: bool, public_description: str
) -> Programme:
    """Publish (or withdraw) a programme's public page, with what it says about the programme."""
    _require_manager(actor, programme)
    before = snapshot(programme, PUBLISH_FIELDS)
    programme.published = published
    programme.public_description = public_description.strip()
    programme.full_clean()
    programme.save(update_fields=[*PUBLISH_FIELDS, "updated_at"])
    audit.record(
        actor=actor,
        action="programme.publish",
        target=programme,
        before=before,
        after=snapshot(programme, PUBLISH_FIELDS),
    )
    programme_public_changed(programme_id=programme.pk)
    return programme


@transaction.atomic
def photo_upload(
    *,
    actor: User,
    programme: Programme,
    file: File,
    caption: str,
    subjects: Sequence[Person],
    taken_on: dt.date | None = None,
) -> Photo:
    """Add a photo to the programme's gallery, naming everyone who can be recognised in it.

    The photo is shown only while each of them has a current photo consent; the file is checked
    and stored by oila.common.uploads (JPEG, PNG or WebP by content, under a random name)."""
    if not works_on(actor, programme):
        raise PermissionDenied(_("Only the programme's staff may add photos to its gallery."))
    caption = (caption or "").strip()
    if not caption:
        raise ApplicationError(_("Write a caption for the photo."), field="caption")
    if not subjects:
        raise ApplicationError(
            _("Name the people who can be recognised in the photo: their consent decides whether "
              "it is shown."),
            field="subjects",
        )  # fmt: skip
    if taken_on is not None and taken_on > today():
        raise ApplicationError(_("This date cannot be in the future."), field="taken_on")
    ids = {p.pk for p in subjects}
    # Only people the uploader may see, of this programme (anyone else is "not found").
    visible = set(
        Person.objects.filter(owned_scope(actor), pk__in=ids, programme=programme).values_list(
            "pk", flat=True
        )
    )
    if visible != ids:
        raise ApplicationError(_("Choose people of this programme that you work with."),
                               field="subjects")  # fmt: skip
    try:
        name, mime = upload_store(file)
    except ValidationError as exc:
        raise ApplicationError(" ".join(exc.messages), field="file") from exc
    if mime == PDF.mime:
        upload_storage.delete(name)
        raise ApplicationError(_("Only photos (JPEG, PNG, WebP) can be shown."), field="file")
    photo = Photo(
        programme=programme,
        file_name=name,
        content_type=mime,
        caption=caption,
        taken_on=taken_on,
        uploaded_by=actor,
    )
    photo.full_clean()
    photo.save(force_insert=True)
    photo.subjects.set(list(subjects))
    audit.record(
        actor=actor,
        action="photo.upload",
        target=photo,
        after={
            **snapshot(photo, ["programme", "caption", "taken_on", "content_type"]),
            "subjects": sorted(str(pk) for pk in ids),
        },
    )
    programme_public_changed(programme_id=programme.pk)
    return photo


@transaction.atomic
def photo_delete(*, actor: User, photo: Photo) -> None:
    """Take a photo out of the gallery and delete its file."""
    if not works_on(actor, photo.programme):
        raise PermissionDenied(_("Only the programme's staff may remove photos from its gallery."))
    audit.record(
        actor=actor,
        action="photo.delete",
        target=photo,
        before={
            **snapshot(photo, ["programme", "caption", "taken_on"]),
            "subjects": sorted(str(pk) for pk in photo.subjects.values_list("pk", flat=True)),
        },
    )
    name, programme_id = photo.file_name, photo.programme_id
    photo.subjects.clear()
    photo.delete()
    programme_public_changed(programme_id=programme_id)
    transaction.on_commit(lambda: upload_storage.delete(name))
