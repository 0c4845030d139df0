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
    "matplotlib==3.11.2",  # reliability diagrams and bankroll curves (Agg backend, no display)
]

EXTRAS_REQUIRE = {
    "test": [
        "pytest==9.2.0",
        "hypothesis==6.170.17",
        "ruff==0.17.6",
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
