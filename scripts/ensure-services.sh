#!/usr/bin/env bash
# Makes sure PostgreSQL (5432), Redis (6379) and NATS with JetStream (4222) answer on 127.0.0.1, and that the
# SMTP server the tests start themselves (Debian's python3-aiosmtpd), the Prometheus text parser the metrics tests
# use (Debian's python3-prometheus-client) and the browser the console's end-to-end tests drive (Debian's
# chromium, /usr/bin/chromium) are installed.
# A stopped service is started; a missing one is installed from Debian's packages first (needs root),
# so `npm test` also passes on a bare machine.
set -euo pipefail

log() { echo "[services] $*" >&2; }

up() { # host port
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

wait_up() { # name port
  for _ in $(seq 1 60); do
    if up "$2"; then log "$1 is up on 127.0.0.1:$2"; return 0; fi
    sleep 0.5
  done
  log "$1 did not come up on 127.0.0.1:$2"; return 1
}

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
APT_UPDATED=""
install_pkgs() { # [--no-install-recommends] package…
  if ! command -v apt-get >/dev/null; then log "cannot install $*: apt-get not found"; exit 1; fi
  if [ -z "$APT_UPDATED" ]; then log "apt-get update"; $SUDO apt-get update -qq; APT_UPDATED=1; fi
  log "installing $(echo "$@" | sed 's/--[a-z-]* //g')"
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

ensure_postgres() {
  up 5432 && { log "PostgreSQL is up"; return; }
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then install_pkgs postgresql; fi
  local ver; ver=$(ls /etc/postgresql | sort -V | tail -1)
  local hba="/etc/postgresql/$ver/main/pg_hba.conf"
  # Tests connect as postgres without a password over TCP, as on the CI machines.
  if ! grep -qE '^host\s+all\s+all\s+127\.0\.0\.1/32\s+trust' "$hba"; then
    $SUDO sed -i '1i host all all 127.0.0.1/32 trust\nhost all all ::1/128 trust' "$hba"
  fi
  log "starting PostgreSQL $ver"
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$ver" main start || $SUDO pg_ctlcluster "$ver" main start
  wait_up PostgreSQL 5432
}

ensure_redis() {
  up 6379 && { log "Redis is up"; return; }
  command -v redis-server >/dev/null || install_pkgs redis-server
  mkdir -p /tmp/hexabase-redis
  log "starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /tmp/hexabase-redis --logfile /tmp/hexabase-redis/redis.log
  wait_up Redis 6379
}

ensure_nats() {
  up 4222 && { log "NATS is up"; return; }
  command -v nats-server >/dev/null || [ -x /usr/sbin/nats-server ] || install_pkgs nats-server
  local bin; bin=$(command -v nats-server || echo /usr/sbin/nats-server)
  mkdir -p /tmp/hexabase-nats
  log "starting NATS with JetStream"
  nohup "$bin" -a 127.0.0.1 -p 4222 -js -sd /tmp/hexabase-nats -l /tmp/hexabase-nats/nats.log >/dev/null 2>&1 &
  wait_up NATS 4222
}

# Not a service: each test file that sends email starts its own aiosmtpd (shared/testing/mail.ts).
ensure_aiosmtpd() {
  /usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null && { log "aiosmtpd is installed"; return; }
  install_pkgs python3-aiosmtpd
}

# Not a service: the metrics tests read /metrics with Prometheus's official Python client parser
# (shared/testing/exposition.ts).
ensure_prometheus_client() {
  /usr/bin/python3 -c 'import prometheus_client.parser' 2>/dev/null && { log "prometheus_client is installed"; return; }
  install_pkgs python3-prometheus-client
}

# Not a service either: shared/testing/chromium.ts launches Chromium with playwright-core (no browser download)
# and trusts the test platform's CA through an NSS database it writes with certutil (libnss3-tools).
ensure_chromium() {
  local pkgs=()
  [ -x /usr/bin/chromium ] || pkgs+=(chromium)
  command -v certutil >/dev/null || pkgs+=(libnss3-tools)
  [ ${#pkgs[@]} = 0 ] && { log "Chromium and certutil are installed"; return; }
  install_pkgs --no-install-recommends "${pkgs[@]}"
}

ensure_postgres
ensure_redis
ensure_nats
ensure_aiosmtpd
ensure_prometheus_client
ensure_chromium
