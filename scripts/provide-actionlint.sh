#!/usr/bin/env bash
# Makes actionlint (the GitHub Actions workflow linter) available and prints its path as the LAST
# line of stdout:
#
#   ACTIONLINT=$(bash scripts/provide-actionlint.sh) && "$ACTIONLINT" .github/workflows/*.yml
#
# Order of preference: an `actionlint` on PATH (skip with REGIONCTL_ACTIONLINT_IGNORE_PATH=1), then
# .tools/actionlint/<version>/actionlint in this repository, then a build with the machine's Go
# (`go install` of the pinned module version into that folder). Exit code 2: neither is available.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VERSION=v1.7.12
DIR=$ROOT/.tools/actionlint/$VERSION

log() { echo "provide-actionlint: $*" >&2; }

if [ "${REGIONCTL_ACTIONLINT_IGNORE_PATH:-}" != 1 ] && command -v actionlint >/dev/null 2>&1; then
	command -v actionlint
	exit 0
fi
if [ -x "$DIR/actionlint" ]; then
	echo "$DIR/actionlint"
	exit 0
fi
if ! command -v go >/dev/null 2>&1; then
	log "error: no actionlint on PATH and no Go to build it; install Go, or actionlint $VERSION"
	exit 2
fi
log "building actionlint $VERSION with $(go version | cut -d' ' -f3)"
mkdir -p "$DIR"
GOBIN=$DIR go install "github.com/rhysd/actionlint/cmd/actionlint@$VERSION" >&2
echo "$DIR/actionlint"
