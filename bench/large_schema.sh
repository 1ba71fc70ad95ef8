#!/usr/bin/env bash
# The 1,000-table benchmark: `pgparity check --db` against `pg_dump --schema-only` of the
# same database, both the median of RUNS runs, and their ratio.
#
#   bench/large_schema.sh [TABLES]        (default 1000; RUNS=5 in the environment)
#
# With PGPARITY_TEST_DATABASE_URL set (a user that may create databases and roles) the
# benchmark database is created on that server and dropped afterwards. Otherwise a
# throwaway cluster is started the way the test harness does (tests/support/pg.rs):
# initdb/pg_ctl from PATH, pg_config --bindir or /usr/lib/postgresql/<major>/bin, run as
# the postgres OS user when root, 127.0.0.1 on a free port, removed on exit.
#
# The catalogs are ANALYZEd after the schema is created, as autovacuum would have done on
# any real database; timing a freshly created, never-analyzed catalog measures the
# planner's guesses instead.
set -euo pipefail

tables="${1:-1000}"
runs="${RUNS:-5}"
root_dir="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/pgparity-bench.XXXXXX")"
cluster_started=""
admin_url=""
database="pgparity_bench_$$"
run_as=()

find_bin_dir() {
    local initdb
    initdb="$(command -v initdb || true)"
    if [[ -n "$initdb" ]]; then
        initdb="$(readlink -f "$initdb")"
        if [[ -x "$(dirname "$initdb")/pg_ctl" ]]; then
            dirname "$initdb"
            return
        fi
    fi
    if command -v pg_config >/dev/null && [[ -x "$(pg_config --bindir)/initdb" ]]; then
        pg_config --bindir
        return
    fi
    local newest
    newest="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    if [[ -n "$newest" && -x "$newest/initdb" ]]; then
        echo "$newest"
        return
    fi
    echo "no PostgreSQL server programs found: set PGPARITY_TEST_DATABASE_URL or install postgresql" >&2
    exit 2
}

cleanup() {
    if [[ -n "$admin_url" ]]; then
        "$bin_dir/psql" -q -X "$admin_url" -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" \
            >/dev/null 2>&1 || true
    fi
    if [[ -n "$cluster_started" ]]; then
        "${run_as[@]}" "$bin_dir/pg_ctl" stop -m immediate -D "$work/data" >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

bin_dir="$(find_bin_dir)"
# pg_dump and psql of the server's own version: Debian's /usr/bin/pg_dump is a Perl
# wrapper whose start-up would be charged to pg_dump.
[[ -x "$bin_dir/pg_dump" ]] || bin_dir="$(dirname "$(command -v pg_dump)")"

echo "building the release binary and the generator..." >&2
(cd "$root_dir" && cargo build --release --quiet --bin pgparity --example gen_schema)
pgparity="$root_dir/target/release/pgparity"
mkdir -p "$work/specs"
"$root_dir/target/release/examples/gen_schema" "$tables" >"$work/specs/schema.sql"

if [[ -n "${PGPARITY_TEST_DATABASE_URL:-}" ]]; then
    admin_url="$PGPARITY_TEST_DATABASE_URL"
else
    password="pgparity-bench-$$"
    printf '%s' "$password" >"$work/pwfile"
    if [[ "$(id -u)" == 0 ]]; then
        run_as=(runuser -u postgres --)
        chown -R postgres:postgres "$work"
    else
        run_as=(env)
    fi
    "${run_as[@]}" "$bin_dir/initdb" -D "$work/data" -U postgres -E UTF8 --locale=C --no-sync \
        --auth-local=trust --auth-host=scram-sha-256 --pwfile="$work/pwfile" >/dev/null
    for _attempt in 1 2 3; do
        port=$((20000 + RANDOM % 30000))
        if "${run_as[@]}" "$bin_dir/pg_ctl" start -w -t 60 -D "$work/data" -l "$work/server.log" \
            -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$work \
                -c fsync=off -c full_page_writes=off -c synchronous_commit=off" >/dev/null; then
            cluster_started=yes
            break
        fi
    done
    if [[ -z "$cluster_started" ]]; then
        echo "the throwaway PostgreSQL did not start; server log:" >&2
        cat "$work/server.log" >&2 || true
        exit 2
    fi
    admin_url="postgres://postgres:$password@127.0.0.1:$port/postgres?sslmode=disable"
fi

psql() { "$bin_dir/psql" -q -X -v ON_ERROR_STOP=1 "$@"; }
psql "$admin_url" -c "CREATE DATABASE $database" >/dev/null
psql "$admin_url" -c "DO \$\$ BEGIN CREATE ROLE app_user; \
    EXCEPTION WHEN duplicate_object THEN NULL; END \$\$" >/dev/null
db_url="$(printf '%s' "$admin_url" | sed -E "s#/[^/?]*(\\?|$)#/$database\\1#")"
echo "creating $tables tables..." >&2
psql "$db_url" -f "$work/specs/schema.sql" >/dev/null
psql "$db_url" -c "ANALYZE" >/dev/null

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }

check_times=()
dump_times=()
for _run in $(seq "$runs"); do
    start="$(now_ms)"
    status=0
    "$pgparity" check --db "$db_url" --specs "$work/specs" --config /dev/null --format json \
        >"$work/report.json" 2>"$work/check.err" || status=$?
    check_times+=($(( $(now_ms) - start )))
    if [[ "$status" -gt 1 ]]; then
        echo "pgparity check failed ($status):" >&2
        cat "$work/check.err" >&2
        exit 2
    fi
    start="$(now_ms)"
    "$bin_dir/pg_dump" --schema-only --dbname="$db_url" >"$work/dump.sql"
    dump_times+=($(( $(now_ms) - start )))
done

check_ms="$(median "${check_times[@]}")"
dump_ms="$(median "${dump_times[@]}")"
echo "tables: $tables, runs: $runs, cores: $(nproc)"
echo "pgparity check --db:   median ${check_ms} ms  (${check_times[*]})"
echo "pg_dump --schema-only: median ${dump_ms} ms  (${dump_times[*]})"
awk -v check="$check_ms" -v dump="$dump_ms" \
    'BEGIN { printf "ratio check/pg_dump: %.2f\n", check / dump }'
