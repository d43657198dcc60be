"""The one shape of a refused action, shared by every domain's services."""


class Rejected(Exception):
    """An action that breaks a rule: `errors` maps form fields ("__all__" for the whole form)
    to plain-language messages; nothing was written."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors

    @classmethod
    def because(cls, message: str, field: str = "__all__") -> "Rejected":
        return cls({field: [message]})

    def messages(self) -> list[str]:
        return [message for messages in self.errors.values() for message in messages]
