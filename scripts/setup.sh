#!/usr/bin/env bash
# Installs the tools the test suite runs against, beyond npm packages: moto server (AWS-compatible
# endpoint), Chromium (renders the drill's HTML report) and the pinned Pulumi CLI. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "regionctl setup: moto server" >&2
python3 -m pip install --quiet --disable-pip-version-check -r requirements-test.txt

if ! command -v chromium >/dev/null 2>&1; then
  echo "regionctl setup: chromium" >&2
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

echo "regionctl setup: pulumi CLI" >&2
bash scripts/provide-pulumi.sh >/dev/null
