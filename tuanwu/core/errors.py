class DomainError(Exception):
    """A refused state change, with a message in Chinese for the user."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
