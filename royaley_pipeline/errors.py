"""The one exception type for a request the pipeline cannot serve as asked.

A ``BadRequest`` is the caller's mistake (an unknown sport, a bet type the sport does not offer, a
framework not installed here, an unwritable output path…): the CLI prints its one line and exits 2,
the API answers 4xx. Anything else escaping a command or a run is an internal error.

It extends ``ValueError`` so pydantic validators can raise it and still produce a 422.
"""


class BadRequest(ValueError):
    """A request that cannot be served as asked; ``str()`` is the one line shown to the user."""
