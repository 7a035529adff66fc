"""REST API v1 of cases (routes in cases.api_urls): cases, visits, decisions, due items, reports,
and the user's notifications. Serializers only check shapes; views call selectors and services."""
