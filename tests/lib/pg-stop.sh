#!/bin/sh
# pg-stop.sh DIR: stops the server pg-start.sh started in DIR and removes DIR.
set -u
dir=$1
[ -d "$dir" ] || exit 0
if [ -f "$dir/bin" ] && [ -d "$dir/data" ]; then
	as=""
	[ "$(id -u)" -eq 0 ] && as="runuser -u postgres --"
	$as "$(cat "$dir/bin")/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1
fi
rm -rf "$dir"
