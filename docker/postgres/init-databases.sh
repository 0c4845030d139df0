#!/usr/bin/env bash
# One role and one database each for the application, Dagster's storage and MLflow's backend
# store, so a leaked password reaches one of them only. The official postgres image runs this
# once, when the data volume is empty; passwords come from docker/.env through the environment.
set -euo pipefail

create_owned_database() {
  local name="$1" password="$2"
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
       -v name="$name" -v password="$password" <<'SQL'
CREATE ROLE :"name" LOGIN PASSWORD :'password';
CREATE DATABASE :"name" OWNER :"name" ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;
SQL
}

create_owned_database royaley "$ROYALEY_DB_PASSWORD"
create_owned_database dagster "$DAGSTER_PG_PASSWORD"
create_owned_database mlflow "$MLFLOW_DB_PASSWORD"
