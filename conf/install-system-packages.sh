#!/bin/sh
# Install the system programs the suite needs, with apt, when they are missing.
# Usage: conf/install-system-packages.sh run|test|bench
# As root it installs them; otherwise it prints the command to run and fails.
set -eu

need=""
want() { command -v "$1" >/dev/null 2>&1 || need="$need $2"; }

want mongrel2 mongrel2-core
want m2sh mongrel2-core
if [ -z "${REDIS_URL:-}" ] || [ "${1:-run}" != run ]; then want redis-server redis-server; fi  # bench.longpoll starts its own
if [ "${1:-run}" = test ]; then want chromium chromium; want lynx lynx; fi
if [ "${1:-run}" = bench ]; then want wrk wrk; fi
python3 -c 'import ensurepip, venv' 2>/dev/null || need="$need python3-venv"

need=$(echo $need | tr ' ' '\n' | sort -u | tr '\n' ' ')
[ -z "${need# }" ] && exit 0

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "The suite needs these system packages:$need" >&2
    echo "Install them, then run make again:" >&2
    echo "    sudo apt-get update && sudo apt-get install -y$need" >&2
    exit 1
fi
echo "Installing system packages:$need"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $need
