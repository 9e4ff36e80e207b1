#!/usr/bin/env bash
# `schema-check drift` on the local PostgreSQL, against `pg_dump --schema-only` of the same
# database or schemas, in the same run (farm-bench --vs: drift and pg_dump alternate, the
# ratio is taken pair by pair; quote the median wall ratio):
# 1. one database of 100 tables (10 migrations; each table: 8 columns of assorted types,
#    a primary key, a unique constraint, a check, a foreign key, an index; plus an enum
#    and a view): the target is drift <= 1x pg_dump;
# 2. 1,000 tenant schemas of 10 tables each, in one database: drift --schemas over 10, 100
#    and 1,000 of them, each against pg_dump -n of the same schemas, and how the time grows.
# Databases are created here under unique names and dropped on exit.
#
#   scripts/bench-drift.sh        # RUNS=10 TENANT_RUNS=3 JOBS=8; PG=postgres://postgres@127.0.0.1:5432
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-10}
TENANT_RUNS=${TENANT_RUNS:-3}
JOBS=${JOBS:-8}
PG=${PG:-postgres://postgres@127.0.0.1:5432}
ONE=bench_drift_one_$$
MANY=bench_drift_many_$$
DIR=$(mktemp -d)
cleanup() {
  for db in "$ONE" "$MANY"; do
    psql "$PG/postgres" -qAtc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  done
  rm -rf "$DIR"
}
trap cleanup EXIT

psql "$PG/postgres" -qAtc 'SELECT 1' >/dev/null || {
  echo "PostgreSQL must run at $PG (user postgres, trust): service postgresql start" >&2
  exit 2
}
cargo build --release -q -p schema-check --bin schema-check
BIN=$PWD/target/release/schema-check

# migrations FILES TABLES DIR: TABLES tables over FILES migration files.
migrations() {
  python3 - "$@" <<'PY'
import os, sys
files, tables, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
os.makedirs(out, exist_ok=True)
per = tables // files
for f in range(files):
    sql = []
    if f == 0:
        sql.append("CREATE TYPE status AS ENUM ('new', 'paid', 'shipped', 'cancelled');")
    for i in range(f * per + 1, (f + 1) * per + 1):
        parent = f",\n    parent_id bigint REFERENCES t{i-1:03}(id) ON DELETE CASCADE" if i > 1 else ""
        sql.append(f"""CREATE TABLE t{i:03} (
    id bigserial PRIMARY KEY,
    tenant_id uuid NOT NULL,
    name varchar(100) NOT NULL,
    price numeric(10, 2) NOT NULL DEFAULT 0 CHECK (price >= 0),
    state status NOT NULL DEFAULT 'new',
    tags text[],
    data jsonb,
    created_at timestamptz NOT NULL DEFAULT now(){parent},
    UNIQUE (tenant_id, name)
);
CREATE INDEX t{i:03}_recent ON t{i:03} (tenant_id, created_at DESC) WHERE data IS NOT NULL;""")
    if f == files - 1:
        sql.append(f"CREATE VIEW recent AS SELECT id, name FROM t{f * per + 1:03} WHERE created_at > now() - interval '1 day';")
    with open(os.path.join(out, f"{f + 1:04}_step.sql"), "w") as fh:
        fh.write("\n".join(sql) + "\n")
PY
}

migrations 10 100 "$DIR/one"
migrations 1 10 "$DIR/tenant"
psql "$PG/postgres" -qAtc "CREATE DATABASE $ONE" >/dev/null
cat "$DIR"/one/*.sql | psql "$PG/$ONE" -qX -v ON_ERROR_STOP=1 >/dev/null
"$BIN" drift --database-url "$PG/$ONE" "$DIR/one" >/dev/null || {
  echo "drift found differences in the 100-table database: not a fair run" >&2
  exit 1
}

echo "== 1. one database of 100 tables: drift (A) vs pg_dump --schema-only (B)"
farm-bench -n "$RUNS" --warmup 2 \
  --vs "pg_dump --schema-only --no-owner -d $PG/$ONE" \
  -- "$BIN" drift --database-url "$PG/$ONE" "$DIR/one"

echo
echo "== 2. 1,000 tenant schemas of 10 tables (creating them...)"
psql "$PG/postgres" -qAtc "CREATE DATABASE $MANY" >/dev/null
python3 - "$DIR/tenant/0001_step.sql" > "$DIR/tenants.sql" <<'PY'
import sys
body = open(sys.argv[1]).read()
for t in range(1000):
    print(f"CREATE SCHEMA tenant_{t:04}; SET search_path TO tenant_{t:04};")
    print(body)
PY
psql "$PG/$MANY" -qX -v ON_ERROR_STOP=1 -f "$DIR/tenants.sql" >/dev/null
for n in 10 100 1000; do
  case $n in
    10) glob='tenant_000?' ;;
    100) glob='tenant_00??' ;;
    1000) glob='tenant_*' ;;
  esac
  echo
  echo "-- $n tenants (--schemas '$glob', --jobs $JOBS): drift (A) vs pg_dump -n '$glob' (B)"
  "$BIN" drift --database-url "$PG/$MANY" --schemas "$glob" --jobs "$JOBS" "$DIR/tenant" \
    | tail -1
  farm-bench -n "$TENANT_RUNS" --warmup 1 --timeout 1200 \
    --vs "pg_dump --schema-only --no-owner -n $glob -d $PG/$MANY" \
    -- "$BIN" drift --database-url "$PG/$MANY" --schemas "$glob" --jobs "$JOBS" "$DIR/tenant"
done
