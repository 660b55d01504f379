#!/usr/bin/env bash
# Uptime check for a Roller installation: the UI server's /healthz (best through the reverse proxy, as
# users reach it) and core's /readyz (database reachable, schema current). Prints "ok" and exits 0 when
# both answer 2xx; otherwise names each failing check on stderr and exits 1. Exit 2: bad usage.
#
#   scripts/uptime-check.sh [--attempts N] [--interval SECONDS] [--timeout SECONDS] [UI_URL [CORE_READY_URL]]
#
# URLs come from the arguments, else from UI_URL and CORE_READY_URL, else http://localhost/healthz and
# http://localhost:8081/readyz.
# --attempts retries the whole check (for start-up, e.g. the compose `readiness` job); a monitor that
# runs it every 30-60 s wants the default of one attempt. Uses curl, or node when curl is missing
# (UPTIME_CHECK_CLIENT=curl|node forces one). No credentials are needed: Roller answers /healthz and
# /readyz without a token.
set -euo pipefail

usage() {
  sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

attempts=1
interval=1
timeout=5
urls=()
while [ $# -gt 0 ]; do
  case "$1" in
    --attempts) [ $# -ge 2 ] || usage; attempts=$2; shift 2 ;;
    --interval) [ $# -ge 2 ] || usage; interval=$2; shift 2 ;;
    --timeout) [ $# -ge 2 ] || usage; timeout=$2; shift 2 ;;
    -h | --help) usage ;;
    -*) echo "uptime-check: unknown option $1" >&2; usage ;;
    *) urls+=("$1"); shift ;;
  esac
done
[ "${#urls[@]}" -le 2 ] || usage
for number in "$attempts" "$interval" "$timeout"; do
  [[ "$number" =~ ^[0-9]+$ ]] || { echo "uptime-check: \"$number\" is not a whole number" >&2; exit 2; }
done
[ "$attempts" -ge 1 ] && [ "$timeout" -ge 1 ] || { echo "uptime-check: --attempts and --timeout must be at least 1" >&2; exit 2; }

ui_url=${urls[0]:-${UI_URL:-http://localhost/healthz}}
core_url=${urls[1]:-${CORE_READY_URL:-http://localhost:8081/readyz}}

client=${UPTIME_CHECK_CLIENT:-}
if [ -z "$client" ]; then
  if command -v curl >/dev/null 2>&1; then client=curl
  elif command -v node >/dev/null 2>&1; then client=node
  else echo "uptime-check: needs curl or node in PATH" >&2; exit 2
  fi
fi
case "$client" in curl | node) ;; *) echo "uptime-check: UPTIME_CHECK_CLIENT must be curl or node" >&2; exit 2 ;; esac

# Prints the HTTP status of a GET to $1, or "000" when no answer came (refused, timeout, DNS).
# Redirects are not followed: a health endpoint that redirects is misconfigured.
http_status() {
  if [ "$client" = curl ]; then
    curl --silent --output /dev/null --write-out '%{http_code}' --max-time "$timeout" "$1" || true
  else
    node -e '
      fetch(process.argv[1], { redirect: "manual", signal: AbortSignal.timeout(Number(process.argv[2]) * 1000) })
        .then((response) => process.stdout.write(String(response.status)), () => process.stdout.write("000"));
    ' "$1" "$timeout" || echo -n 000
  fi
}

# Sets $failure to a sentence about the check, or leaves it empty when the answer was 2xx.
probe() {
  local name=$1 url=$2 status
  status=$(http_status "$url")
  failure=''
  case "$status" in
    2??) ;;
    000 | '') failure="$name: no answer from $url (connection refused, timed out or name not resolved)" ;;
    *) failure="$name: $url answered HTTP $status" ;;
  esac
}

attempt=1
while :; do
  problems=()
  probe 'UI /healthz' "$ui_url"
  [ -z "$failure" ] || problems+=("$failure")
  probe 'core /readyz' "$core_url"
  [ -z "$failure" ] || problems+=("$failure")
  if [ "${#problems[@]}" -eq 0 ]; then
    echo ok
    exit 0
  fi
  if [ "$attempt" -ge "$attempts" ]; then break; fi
  attempt=$((attempt + 1))
  sleep "$interval"
done

suffix=''
[ "$attempts" -eq 1 ] || suffix=" (after $attempts attempts)"
echo "uptime-check: FAILED$suffix" >&2
for problem in "${problems[@]}"; do echo "  $problem" >&2; done
exit 1
