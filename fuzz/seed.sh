#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ with seed inputs: the bundled example (specs/, contracts/,
# mappings/, docs/, pgparity.toml, fixtures/, tests/data/), the real-world DDL of
# ../shared/corpus (cut into pieces of at most 64 KiB at statement boundaries), a baseline
# written by `pgparity check --write-baseline`, and, when PostgreSQL's server binaries are
# installed, snapshots written by `pgparity snapshot` of the example and the drift test
# schemas applied to a throwaway cluster. Seeds are generated, never committed; running
# the script again adds nothing twice (each seed is named by its content's hash).
#
# Usage: fuzz/seed.sh   (SHARED_CORPUS=path overrides ../shared/corpus)
set -euo pipefail
fuzz="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$fuzz")"
shared="${SHARED_CORPUS:-$root/../shared/corpus}"
corpus="$fuzz/corpus"
max_bytes=65536

# seed TARGET FILE...: copies each file of at most 64 KiB into the target's corpus.
seed() {
  local target="$1"
  shift
  mkdir -p "$corpus/$target"
  local file
  for file in "$@"; do
    [ -f "$file" ] || continue
    if [ "$(wc -c <"$file")" -gt "$max_bytes" ]; then
      echo "$target: skipped $file (more than 64 KiB)" >&2
      continue
    fi
    cp "$file" "$corpus/$target/$(sha1sum "$file" | cut -c1-40)"
  done
}

# files FOLDER PATTERN...: the files under FOLDER whose names match one of the patterns.
files() {
  local folder="$1"
  shift
  local expression=() pattern
  for pattern in "$@"; do
    expression+=(${expression[@]:+-o} -name "$pattern")
  done
  if [ -d "$folder" ]; then find "$folder" -type f \( "${expression[@]}" \) | sort; fi
}

# cut_sql FILE OUT_FOLDER: FILE in pieces of at most 64 KiB, cut only where a statement
# ends (a line ending in `;` outside dollar quotes and block comments).
cut_sql() {
  python3 - "$1" "$2" "$max_bytes" <<'PY'
import hashlib, os, re, sys
path, out, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
text = open(path, encoding="utf-8", errors="replace").read()
statements, current, dollar, comment = [], [], None, False
for line in text.splitlines(keepends=True):
    current.append(line)
    for match in re.finditer(r"\$[A-Za-z_0-9]*\$|/\*|\*/", line):
        token = match.group()
        if token == "/*" and dollar is None:
            comment = True
        elif token == "*/" and dollar is None:
            comment = False
        elif token.startswith("$") and not comment:
            dollar = None if dollar == token else (dollar or token)
    if dollar is None and not comment and line.rstrip().endswith(";"):
        statements.append("".join(current))
        current = []
statements.append("".join(current))
pieces, piece = [], ""
for statement in statements:
    if len((piece + statement).encode()) > limit and piece:
        pieces.append(piece)
        piece = ""
    piece += statement
pieces.append(piece)
os.makedirs(out, exist_ok=True)
for piece in pieces:
    data = piece.encode()[:limit]
    if data.strip():
        open(os.path.join(out, hashlib.sha1(data).hexdigest()), "wb").write(data)
PY
}

sql_files="$( { files "$root/specs" '*.sql'; files "$root/fixtures" '*.sql'; files "$root/tests/data" '*.sql'; files "$root/bench" '*.sql'; files "$shared" '*.sql'; } )"
mkdir -p "$corpus/spec"
while IFS= read -r file; do
  [ -n "$file" ] && cut_sql "$file" "$corpus/spec"
done <<<"$sql_files"

seed contracts $(files "$root/contracts" '*.yaml' '*.yml' '*.json') \
  $(files "$root/tests/data/contracts" '*.yaml' '*.yml' '*.json') \
  $(files "$root/fixtures" 'contract.yaml') $(files "$root/tests/data/unseen" '*.json')
seed mapping $(files "$root/mappings" '*.yaml') $(files "$root/tests/data/mapping" '*.yaml') \
  $(files "$root/fixtures" '*mapping*.yaml') $(files "$root/tests/data/unseen" 'mapping.yaml')
seed markdown_plan $(files "$root/docs" '*.md') $(files "$root/tests/data" '*.md') "$root/README.md"
seed config "$root/pgparity.toml" $(files "$root/fixtures" 'pgparity.toml') \
  $(files "$root/tests/data" '*.toml')

scratch="$(mktemp -d)"
pg_bin=""
as_postgres=()
cleanup() {
  if [ -f "$scratch/cluster/postmaster.pid" ]; then
    "${as_postgres[@]}" "$pg_bin/pg_ctl" -D "$scratch/cluster" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$scratch"
}
trap cleanup EXIT

echo "building pgparity to write a baseline and snapshots" >&2
cargo build --quiet --manifest-path "$root/Cargo.toml"
pgparity="$root/target/debug/pgparity"

# A baseline of every fixture (and of the example) as `pgparity check --write-baseline`
# writes it.
for project in "$root" $(find "$root/fixtures" -mindepth 1 -maxdepth 1 -type d | sort); do
  (cd "$project" && "$pgparity" check --fail-on never --write-baseline "$scratch/baseline.json" >/dev/null 2>&1) || continue
  seed baseline "$scratch/baseline.json"
done

for candidate in "$(command -v pg_config >/dev/null 2>&1 && pg_config --bindir)" /usr/lib/postgresql/*/bin; do
  if [ -n "$candidate" ] && [ -x "$candidate/initdb" ]; then pg_bin="$candidate"; break; fi
done
if [ -z "$pg_bin" ]; then
  echo "no PostgreSQL server binaries (initdb): the snapshot corpus stays empty" >&2
  mkdir -p "$corpus/snapshot"
  exit 0
fi

# A throwaway cluster on a Unix socket only, to take snapshots of real catalogs (run as
# the `postgres` OS user when we are root: initdb refuses root).
if [ "$(id -u)" = 0 ]; then
  chown -R postgres "$scratch"
  as_postgres=(runuser -u postgres --)
fi
"${as_postgres[@]}" "$pg_bin/initdb" -D "$scratch/cluster" -U postgres -A trust >/dev/null
"${as_postgres[@]}" "$pg_bin/pg_ctl" -D "$scratch/cluster" -w -l "$scratch/server.log" \
  -o "-c listen_addresses='' -c unix_socket_directories='$scratch' -c fsync=off" start >/dev/null

# snapshot NAME SQL_FILE...: the files applied to a new database, then its snapshot.
snapshot() {
  local name="$1"
  shift
  "$pg_bin/psql" -h "$scratch" -U postgres -d postgres -qc "CREATE DATABASE $name" >/dev/null
  local file
  for file in "$@"; do
    "$pg_bin/psql" -h "$scratch" -U postgres -d "$name" -q -f "$file" >/dev/null 2>&1 || true
  done
  # The time and the socket folder change at every run; the seeds should not.
  # Compact JSON, so that the example's catalog fits in 64 KiB.
  "$pgparity" snapshot --db "host=$scratch user=postgres dbname=$name" 2>/dev/null |
    sed -e 's/"taken_at": "[^"]*"/"taken_at": "2026-01-01T00:00:00Z"/' \
      -e "s#$scratch#/tmp/pgparity-seed#" |
    python3 -c 'import json, sys; json.dump(json.load(sys.stdin), sys.stdout, separators=(",", ":"))' \
      >"$scratch/$name.json" &&
    seed snapshot "$scratch/$name.json"
}
snapshot example $(files "$root/specs" '*.sql')
for file in $(files "$root/tests/data/drift" '*.sql'); do
  snapshot "drift_$(basename "$file" .sql)" "$file"
done

for target in spec contracts mapping markdown_plan snapshot baseline config; do
  echo "$target: $(find "$corpus/$target" -type f 2>/dev/null | wc -l) seeds" >&2
done
