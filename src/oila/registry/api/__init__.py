"""REST API v1 of the registry (households and people); routes in registry.api_urls.

Serializers only check shapes and describe output; views call the registry's selectors and services.
"""

from oila.registry.api.views import HouseholdViewSet, PersonViewSet

__all__ = ["HouseholdViewSet", "PersonViewSet"]
