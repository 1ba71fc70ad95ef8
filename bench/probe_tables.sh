#!/usr/bin/env bash
# The probing benchmark: `pgparity check --dev-db … --probe` on a generated spec of TABLES
# tables, against the same run without --probe (applying the specs to the scratch
# database and reading it back), both the median of RUNS runs. The difference is what
# probing costs; the report's probe counts say how many probes that was.
#
#   bench/probe_tables.sh [TABLES]        (default 1000; RUNS=3 in the environment)
#
# PGPARITY_PROFILE=debug uses the debug build (target/debug, no release build) instead
# of the release one. With PGPARITY_TEST_DATABASE_URL set (a user that may create
# databases and roles, whose new roles may log in with a password) that server is the
# --dev-db server. Otherwise a throwaway cluster is started as tests/support/pg.rs does
# (initdb/pg_ctl from PATH, pg_config --bindir or /usr/lib/postgresql/<major>/bin, as the
# postgres OS user when root, 127.0.0.1 on a free port, removed on exit).
#
# A measurement, not a test: nothing in it fails on time.
set -euo pipefail

tables="${1:-1000}"
runs="${RUNS:-3}"
profile="${PGPARITY_PROFILE:-release}"
root_dir="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/pgparity-probe-bench.XXXXXX")"
cluster_started=""
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
    if [[ -n "$cluster_started" ]]; then
        "${run_as[@]}" "$bin_dir/pg_ctl" stop -m immediate -D "$work/data" >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

bin_dir="$(find_bin_dir)"
[[ -x "$bin_dir/psql" ]] || bin_dir="$(dirname "$(command -v psql)")"

if [[ "$profile" == "debug" ]]; then
    echo "building the debug binary and the generator..." >&2
    (cd "$root_dir" && cargo build --quiet --bin pgparity --example gen_schema)
    target="$root_dir/target/debug"
else
    echo "building the release binary and the generator..." >&2
    (cd "$root_dir" && cargo build --release --quiet --bin pgparity --example gen_schema)
    target="$root_dir/target/release"
fi
pgparity="$target/pgparity"
mkdir -p "$work/specs"
"$target/examples/gen_schema" "$tables" >"$work/specs/schema.sql"

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
# The generated spec grants to app_user, which the dev server must know.
"$bin_dir/psql" -q -X -v ON_ERROR_STOP=1 "$admin_url" -c "DO \$\$ BEGIN CREATE ROLE app_user; \
    EXCEPTION WHEN duplicate_object THEN NULL; END \$\$" >/dev/null

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }

# Runs `pgparity check --dev-db` with the extra flags and prints its wall time in ms.
timed_check() {
    local start status=0
    start="$(now_ms)"
    "$pgparity" check --specs "$work/specs" --config /dev/null --dev-db "$admin_url" \
        --format json "$@" >"$work/report.json" 2>"$work/check.err" || status=$?
    if [[ "$status" -gt 1 ]]; then
        echo "pgparity check failed ($status):" >&2
        cat "$work/check.err" >&2
        exit 2
    fi
    echo $(( $(now_ms) - start ))
}

apply_times=()
probe_times=()
for _run in $(seq "$runs"); do
    apply_times+=("$(timed_check)")
    probe_times+=("$(timed_check --probe)")
done
counts="$(grep -A4 "\"probes\": {" "$work/report.json" | sed -n "s/.*\"\\(passed\\|failed\\|skipped\\)\": \\([0-9]*\\).*/\\1 \\2/p" | paste -sd " ")"

apply_ms="$(median "${apply_times[@]}")"
probe_ms="$(median "${probe_times[@]}")"
echo "tables: $tables, runs: $runs, cores: $(nproc), build: $profile"
echo "probes of the last run: $counts"
echo "check --dev-db:          median ${apply_ms} ms  (${apply_times[*]})"
echo "check --dev-db --probe:  median ${probe_ms} ms  (${probe_times[*]})"
echo "probing alone:           $(( probe_ms - apply_ms )) ms"
