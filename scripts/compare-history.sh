#!/usr/bin/env bash
# Applies the migrations in DIR to a fresh database on the local server (PostgreSQL at
# 127.0.0.1:5432 as postgres, MariaDB at 127.0.0.1:3306 as root, or a temporary SQLite
# file), in the order the migration tool runs them; replays them with schema-check; and
# prints every difference. CC_TEST_POSTGRES / CC_TEST_MYSQL override the servers.
#
#   scripts/compare-history.sh DIR DIALECT      # DIALECT: postgres | mysql | sqlite
#   scripts/compare-history.sh --no-foreign-key-checks DIR mysql
#                      # the MariaDB session runs with FOREIGN_KEY_CHECKS = 0, as some
#                      # migration runners set it (vaultwarden's, for one)
#
# Exit 0: the replay matches the server exactly, without errors; 1: differences or replay
# errors (listed); 2: usage, or the server itself refused the history.
set -euo pipefail
flags=()
if [ "${1:-}" = "--no-foreign-key-checks" ]; then
    flags+=("$1")
    shift
fi
if [ "$#" -ne 2 ]; then
    echo "usage: $0 [--no-foreign-key-checks] DIR DIALECT   (DIALECT: postgres, mysql or sqlite)" >&2
    exit 2
fi
dir=$(cd "$1" && pwd)
cd "$(dirname "$0")/.."
exec cargo run --quiet -p cache-contract-tests --example compare_history -- "${flags[@]}" "$dir" "$2"
