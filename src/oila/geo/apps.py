from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GeoConfig(AppConfig):
    name = "oila.geo"
    label = "geo"
    verbose_name = _("Places")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from oila.geo.models import District, Mahalla, Region
        from oila.geo.selectors import forget_places

        for model in (Region, District, Mahalla):
            for signal in (post_save, post_delete):
                signal.connect(forget_places, sender=model, dispatch_uid=f"forget-{model.__name__}")
