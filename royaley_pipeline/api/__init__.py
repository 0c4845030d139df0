"""The REST API: FastAPI over the Dagster instance (training runs) and the MLflow registry (models)."""
