#!/bin/sh
# pg-start.sh DIR [OWNER_PID]: starts a throwaway PostgreSQL server for a test in DIR
# (new or empty; keep the path short: the socket lives in it) and prints the
# URI of its database "postgres" as user "breachscope". The server listens
# on a Unix socket in DIR only (no TCP: nothing outside can reach it, no
# port can collide), trusts local connections and runs without fsync (it
# dies with the test). As root it runs as the user postgres (PostgreSQL
# refuses root). Stop it with pg-stop.sh DIR; with OWNER_PID a watcher also
# stops it once that process is gone, so a test that crashes leaves no
# server behind.
# Exit 77 (the skip status) when the PostgreSQL binaries are missing.
set -eu
dir=$1
owner=${2:-}
bin=${BS_PG_BIN:-}
if [ -z "$bin" ]; then
	for b in /usr/lib/postgresql/*/bin; do
		[ -x "$b/initdb" ] && bin=$b
	done
fi
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
	echo "pg-start: no PostgreSQL server binaries (initdb, pg_ctl); apt-get install postgresql" >&2
	exit 77
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
as=""
if [ "$(id -u)" -eq 0 ]; then
	chown postgres "$dir"
	as="runuser -u postgres --"
fi
# A port number names the socket file; any free one will do.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
if ! $as "$bin/initdb" -D "$dir/data" -U breachscope --auth=trust -E UTF8 --locale=C \
	>"$dir/initdb.log" 2>&1; then
	cat "$dir/initdb.log" >&2
	exit 1
fi
if ! $as "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
	-o "-c listen_addresses='' -k $dir -p $port -c fsync=off -c full_page_writes=off" \
	start >/dev/null; then
	cat "$dir/server.log" >&2
	exit 1
fi
echo "$bin" >"$dir/bin"
if [ -n "$owner" ]; then
	stop=$(cd "$(dirname "$0")" && pwd)/pg-stop.sh
	nohup sh -c "while kill -0 $owner 2>/dev/null; do sleep 1; done; '$stop' '$dir'" \
		</dev/null >/dev/null 2>&1 &
fi
echo "postgresql:///postgres?host=$dir&port=$port&user=breachscope"
