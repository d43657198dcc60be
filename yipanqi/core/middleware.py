"""Web hardening middleware (issue 7.6): no caching of personal pages."""

from django.utils.cache import patch_cache_control


class NoStoreMiddleware:
    """Pages and API answers are never stored by browsers or proxies, unless marked public.

    Static files are served before this middleware and keep their long cache lifetimes.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "public" not in response.get("Cache-Control", ""):
            patch_cache_control(response, no_store=True, private=True)
        return response
