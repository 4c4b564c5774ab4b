#!/usr/bin/env bash
# Makes Node.js >= 22 available and prints the bin directory to put first on PATH as the LAST line
# of stdout (empty when the machine's Node is new enough):
#
#   NODE_BIN_DIR=$(bash scripts/provide-node.sh) && export PATH="${NODE_BIN_DIR:+$NODE_BIN_DIR:}$PATH"
#
# An older machine Node gets the LTS build the npm registry serves as the `node` package (the binary
# is inside it), installed once into the ignored .tools/node; a warm machine pays one version check.
# Progress goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

NODE_MAJOR=22
major_of() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(major_of node)" -ge "$NODE_MAJOR" ] && [ -z "${REGIONCTL_NODE_IGNORE_PATH:-}" ]; then
  echo ""
  exit 0
fi
dir=.tools/node/node_modules/node/bin
if [ "$(major_of "$dir/node")" -ne "$NODE_MAJOR" ]; then
  echo "node $(node --version 2>/dev/null || echo missing) is older than $NODE_MAJOR: installing node@$NODE_MAJOR into .tools/node" >&2
  npm install --prefix .tools/node --no-audit --no-fund --no-save --loglevel=error "node@$NODE_MAJOR" >&2
fi
echo "$PWD/$dir"
