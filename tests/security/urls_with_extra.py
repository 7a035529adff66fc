"""The real URLs plus one that nobody added to the matrix (the test of the matrix test)."""

from django.http import HttpResponse
from django.urls import path

from oila.urls import urlpatterns as real

urlpatterns = [
    *real,
    path("forgotten/", lambda request: HttpResponse("hello"), name="matrix-test-forgotten"),
]
