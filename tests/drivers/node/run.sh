#!/usr/bin/env bash
# Runs driver.js with Node's mysql2 from npm, installed once into MODULES_DIR (the build tree):
#   tests/drivers/node/run.sh MODULES_DIR
set -euo pipefail
modules=${1:?usage: run.sh MODULES_DIR}
if [[ ! -f $modules/node_modules/mysql2/package.json ]]; then
  mkdir -p "$modules"
  npm install --prefix "$modules" --no-audit --no-fund --loglevel=error mysql2@3 >&2
fi
NODE_PATH=$modules/node_modules exec node "$(dirname "${BASH_SOURCE[0]}")/driver.js"
