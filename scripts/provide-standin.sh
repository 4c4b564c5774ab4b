#!/usr/bin/env bash
# Builds the test-only stand-in provider plugin (tools/pulumi-resource-standin)
# and prints the directory holding it as the LAST line of stdout:
#
#   STANDIN_DIR=$(bash scripts/provide-standin.sh | tail -n 1)
#
# The real-engine tests install it as pulumi-resource-aws, -kubernetes and
# -random, so the engine can run the real program where those plugins cannot
# be downloaded. Builds are kept per source stamp in .tools/standin, so a warm
# checkout skips the build; Go resolves modules as for the language host
# (scripts/provide-pulumi.sh), from the module cache before any proxy.
#
# Progress goes to stderr. Exit code 2: no Go to build with.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SRC=$ROOT/tools/pulumi-resource-standin
OUT=$ROOT/.tools/standin
NAME=pulumi-resource-standin

log() { echo "provide-standin: $*" >&2; }

command -v go >/dev/null 2>&1 || {
	log "error: need Go (https://go.dev/dl/) to build the stand-in provider plugin"
	exit 2
}

stamp=$(
	{
		go env GOVERSION
		cd "$SRC" && cat go.mod go.sum $(ls ./*.go | grep -v '_test\.go$')
	} | sha256sum | cut -c1-16
)
dir=$OUT/$stamp
mkdir -p "$OUT"

# Serialise concurrent runs (parallel test workers, CI jobs in one checkout).
exec 9>"$OUT/.lock"
flock 9 2>/dev/null || true

if [ ! -x "$dir/$NAME" ]; then
	log "building $NAME from $SRC"
	mkdir -p "$dir"
	(cd "$SRC" && GOFLAGS=-mod=mod go build -buildvcs=false -o "$dir/$NAME.tmp.$$" . >&2)
	mv -f "$dir/$NAME.tmp.$$" "$dir/$NAME"
	# Keep the three most recent builds.
	ls -dt "$OUT"/*/ | tail -n +4 | xargs -r rm -rf
else
	log "$NAME is up to date in $dir"
fi
echo "$dir"
