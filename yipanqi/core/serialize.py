"""Plain dicts of a record's attributes, for JSON answers and archives."""


def pick(obj, *names: str, **renamed: str) -> dict:
    """The named attributes of obj by their own names, then each key=attribute under its key."""
    picked = {name: getattr(obj, name) for name in names}
    picked.update({key: getattr(obj, attribute) for key, attribute in renamed.items()})
    return picked
