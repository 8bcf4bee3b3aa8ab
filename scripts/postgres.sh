#!/usr/bin/env bash
# A local PostgreSQL for the test suite and the benchmarks, on 127.0.0.1 only.
#
# Installs Debian's postgresql when it is missing, starts the newest installed cluster (creating
# it if there is none), and makes a login role with CREATEDB (pytest-django creates and drops its
# own test database) plus a database of the same name. Idempotent and quiet: safe to run before
# every `make test`. Works as root (CI) or as a user with sudo.
#
#   TPCLINIC_PG_USER / TPCLINIC_PG_PASSWORD / TPCLINIC_PG_DB   default tpclinic / tpclinic / tpclinic
#
# The role gets synchronous_commit=off: a throwaway test database does not need to wait for the
# disk on every commit (a crash can lose the last commits, never corrupt the cluster). This is set
# on the role only, so other users of the cluster keep the default.
set -euo pipefail

ROLE="${TPCLINIC_PG_USER:-tpclinic}"
PASSWORD="${TPCLINIC_PG_PASSWORD:-tpclinic}"
DB="${TPCLINIC_PG_DB:-tpclinic}"
PORT="${TPCLINIC_PG_PORT:-5432}"

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    sudo -u postgres "$@"
  fi
}

# The newest installed server (a client-only install also has /usr/lib/postgresql/N, without bin/postgres).
installed_version() {
  for dir in /usr/lib/postgresql/*/bin/postgres; do
    [ -x "$dir" ] && basename "$(dirname "$(dirname "$dir")")"
  done 2>/dev/null | sort -V | tail -n 1
}

if [ -z "$(installed_version)" ] || ! command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "Installing Debian's postgresql"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi
VERSION="$(installed_version)"

# A fresh machine may have the server but no cluster (e.g. installed with create_main_cluster=false).
if ! pg_lsclusters -h 2>/dev/null | awk -v v="$VERSION" '$1 == v && $2 == "main" {found=1} END {exit !found}'; then
  $SUDO pg_createcluster --port "$PORT" "$VERSION" main >/dev/null
fi

cluster_port="$(pg_lsclusters -h | awk -v v="$VERSION" '$1 == v && $2 == "main" {print $3}')"
if [ "$cluster_port" != "$PORT" ]; then
  echo "PostgreSQL $VERSION/main listens on port $cluster_port, not $PORT; set TPCLINIC_PG_PORT=$cluster_port" >&2
  exit 1
fi

if ! pg_lsclusters -h | awk -v v="$VERSION" '$1 == v && $2 == "main" && $4 ~ /online/ {found=1} END {exit !found}'; then
  $SUDO pg_ctlcluster "$VERSION" main start
fi

for _ in $(seq 1 60); do
  if pg_isready -q -h 127.0.0.1 -p "$PORT"; then
    break
  fi
  sleep 0.5
done
pg_isready -q -h 127.0.0.1 -p "$PORT" || { echo "PostgreSQL did not start on 127.0.0.1:$PORT" >&2; exit 1; }

psql_admin() {
  as_postgres psql -X -q -v ON_ERROR_STOP=1 -p "$PORT" -d postgres "$@"
}

if [ "$(psql_admin -tAc "SELECT 1 FROM pg_roles WHERE rolname = '$ROLE'")" != "1" ]; then
  psql_admin -c "CREATE ROLE \"$ROLE\" LOGIN CREATEDB PASSWORD '$PASSWORD'"
else
  psql_admin -c "ALTER ROLE \"$ROLE\" LOGIN CREATEDB PASSWORD '$PASSWORD'"
fi
psql_admin -c "ALTER ROLE \"$ROLE\" SET synchronous_commit = off"
if [ "$(psql_admin -tAc "SELECT 1 FROM pg_database WHERE datname = '$DB'")" != "1" ]; then
  psql_admin -c "CREATE DATABASE \"$DB\" OWNER \"$ROLE\""
fi

# Prove the password login over TCP works, as the suite will use it.
PGPASSWORD="$PASSWORD" psql -X -q -h 127.0.0.1 -p "$PORT" -U "$ROLE" -d "$DB" -tAc "SELECT 1" >/dev/null
