"""System checks: a request type nobody registered a describer for fails `manage.py check`."""

from django.core import checks


def every_type_is_described(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """exchange.E001: each RequestType has a payload describer (hooks.register_describer)."""
    from yipanqi.exchange.hooks import described_types
    from yipanqi.exchange.models import RequestType

    missing = sorted(set(RequestType.values) - described_types())
    return [
        checks.Error(
            f"Request type {type_!r} has no payload describer.",
            hint="Register one with exchange.hooks.register_describer in the hooks.py of "
            "the app that sends it, called from its AppConfig.ready().",
            obj="exchange.hooks",
            id="exchange.E001",
        )
        for type_ in missing
    ]
