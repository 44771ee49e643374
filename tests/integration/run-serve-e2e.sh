#!/bin/sh
# Runs serve-e2e.mjs: installs the pinned npm peers (oidc-provider,
# playwright-core) from package-lock.json when missing, then drives the real
# OpenID provider, SMTP sink and headless Chromium against breachscope serve.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
if [ ! -d "$HERE/node_modules/oidc-provider" ] || [ ! -d "$HERE/node_modules/playwright-core" ]; then
	(cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error)
fi
exec node "$HERE/serve-e2e.mjs"
