"""REST API v1 of services and referrals: serializers and views (routes in support.api_urls)."""
