"""The H2O cluster a training run uses: one we start here, or an existing one reached by URL.

Starting a local cluster is the default (one machine, nothing to run beforehand); connecting by
URL is how training scales past one machine (``ROYALEY_H2O_URL``, e.g. the compose file's H2O
service). Only a cluster started here is shut down afterwards: a shared cluster belongs to
whoever runs it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from royaley_pipeline.frameworks import check_framework

logger = logging.getLogger(__name__)


@dataclass
class LocalCluster:
    """A JVM we started (its URL, and how to stop it)."""

    url: str
    server: object
    stopped: bool = False

    def shutdown(self) -> None:
        import h2o

        self.stopped = True
        try:
            if h2o.connection() is not None and h2o.connection().connected:
                h2o.cluster().shutdown()
        finally:
            self.server.shutdown()


def start_local_cluster(nthreads: int = 2, max_mem_size: str = "2G", ice_root: str | None = None) -> LocalCluster:
    """Start a new H2O JVM on a free loopback port and connect to it.

    ``h2o.init`` would first attach to any cluster already listening on 54321 (another user's);
    starting the server explicitly guarantees the cluster is ours, so shutting it down is safe.
    """
    check_framework("h2o")
    import h2o
    from h2o.backend import H2OLocalServer

    if ice_root:
        Path(ice_root).mkdir(parents=True, exist_ok=True)
    server = H2OLocalServer.start(
        nthreads=nthreads, max_mem_size=memory_bytes(max_mem_size), ice_root=ice_root, port="54321+",
        verbose=False, bind_to_localhost=True,
    )
    h2o.connect(server=server, verbose=False)
    h2o.no_progress()
    return LocalCluster(url=f"http://{server.ip}:{server.port}", server=server)


def memory_bytes(size: str | int) -> int:
    """``"2G"``, ``"512m"`` or a byte count as bytes (the JVM's -Xmx spelling, as h2o.init takes it)."""
    if isinstance(size, int):
        return size
    text = str(size).strip().lower()
    units = {"k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}
    try:
        if text and text[-1] in units:
            return int(float(text[:-1]) * units[text[-1]])
        return int(text)
    except ValueError:
        raise ValueError(f"H2O max_mem_size {size!r} is not a size like '2G' or '512M'") from None


@contextmanager
def h2o_cluster(
    url: str | None = None, nthreads: int = 2, max_mem_size: str = "2G", ice_root: str | None = None
) -> Iterator[str]:
    """Connect to ``url`` or start a local cluster for the block; yields the cluster's URL."""
    check_framework("h2o")
    import h2o

    if url:
        try:
            h2o.connect(url=url, verbose=False)
        except Exception as error:  # noqa: BLE001 - the client raises several types; say what we tried
            raise ConnectionError(
                f"cannot reach the H2O cluster at {url} ({error}); unset ROYALEY_H2O_URL to start a "
                "local one, or use --framework sklearn"
            ) from error
        h2o.no_progress()
        yield url
        return
    cluster = start_local_cluster(nthreads, max_mem_size, ice_root)
    logger.info("started a local H2O cluster at %s", cluster.url)
    try:
        yield cluster.url
    finally:
        cluster.shutdown()
