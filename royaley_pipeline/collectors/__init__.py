"""Live collectors: one client per service, fetching separated from validating parsers.

Each module holds a client (``fetch_*`` methods that return raw ``Fetched`` responses through one
retrying HTTP session) and pure ``parse_*`` functions that turn a payload into normalised frames
or fail with a ``PayloadError`` naming the source, the request and the field.
"""
