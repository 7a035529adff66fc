from django.urls import path

from oila.results import api

app_name = "results_api"
urlpatterns = [
    path("results/<slug:slug>/indicators/", api.IndicatorResultsView.as_view(), name="indicators"),
]
