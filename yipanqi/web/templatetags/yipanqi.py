from django import template

from yipanqi.divisions.models import PATH_SEPARATOR

register = template.Library()


@register.filter
def short_path(division) -> str:
    """The last two parts of a division's display path, for narrow lists."""
    if division is None:
        return ""
    parts = (division.path_name or division.name).split(PATH_SEPARATOR)
    return PATH_SEPARATOR.join(parts[-2:])
