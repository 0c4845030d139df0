"""Print pinned requirement lines taken from the project's setup.py, for the Docker images.

The images must install exactly the versions the tests ran with, and setup.py is the one place
those pins live. This reads them by running setup.py with ``setuptools.setup`` captured, so the
lists are the ones pip itself would see, without building or installing the project.

    python requirements_from_setup.py setup.py                    # install_requires
    python requirements_from_setup.py setup.py --extra docker      # install_requires + an extra
    python requirements_from_setup.py setup.py --only dagster dagster-postgres

``--only`` picks named packages out of every list (install_requires and all extras) and fails
when one is missing or not pinned with ``==``, so an image cannot silently float a version.
"""

from __future__ import annotations

import argparse
import re
import runpy
import sys
from pathlib import Path
from unittest import mock

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def read_setup_arguments(setup_path: Path) -> dict:
    captured: dict = {}
    with mock.patch("setuptools.setup", lambda **kwargs: captured.update(kwargs)):
        runpy.run_path(str(setup_path), run_name="__main__")
    if "install_requires" not in captured:
        raise SystemExit(f"{setup_path}: setup() was not called with install_requires")
    return captured


def requirement_name(requirement: str) -> str:
    match = _NAME.match(requirement)
    if match is None:
        raise SystemExit(f"cannot read a package name from requirement {requirement!r}")
    return match.group(1).lower().replace("_", "-")


def select(arguments: dict, extras: list[str], only: list[str]) -> list[str]:
    every_extra = arguments.get("extras_require", {})
    unknown = [extra for extra in extras if extra not in every_extra]
    if unknown:
        raise SystemExit(f"setup.py has no extra {', '.join(unknown)}; it has {', '.join(sorted(every_extra))}")
    chosen = list(arguments["install_requires"])
    for extra in extras:
        chosen += every_extra[extra]
    if only:
        pool = list(arguments["install_requires"]) + [r for reqs in every_extra.values() for r in reqs]
        by_name = {requirement_name(requirement): requirement for requirement in pool}
        missing = [name for name in only if name.lower() not in by_name]
        if missing:
            raise SystemExit(f"setup.py pins no {', '.join(missing)}")
        chosen = [by_name[name.lower()] for name in only]
    floating = [requirement for requirement in chosen if "==" not in requirement]
    if floating:
        raise SystemExit(f"not pinned with == in setup.py: {', '.join(floating)}")
    return list(dict.fromkeys(chosen))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("setup_path", type=Path)
    parser.add_argument("--extra", action="append", default=[], help="add an extra's requirements")
    parser.add_argument("--only", nargs="+", default=[], help="only these packages, from any list")
    options = parser.parse_args(argv)
    for requirement in select(read_setup_arguments(options.setup_path), options.extra, options.only):
        print(requirement)


if __name__ == "__main__":
    main(sys.argv[1:])
