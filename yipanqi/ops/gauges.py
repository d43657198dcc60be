"""Gauges that apps compute at Prometheus' scrape (issue 14.6; read by ops.metrics)."""

from collections.abc import Callable

_gauges: dict[str, tuple[str, Callable[[], float | None]]] = {}


def register_gauge(name: str, help_text: str, read: Callable[[], float | None]) -> None:
    """`read()` gives the value when Prometheus scrapes (None: leave the gauge out)."""
    _gauges[name] = (help_text, read)


def registered() -> list[tuple[str, tuple[str, Callable[[], float | None]]]]:
    return sorted(_gauges.items())
