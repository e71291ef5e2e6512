#!/usr/bin/env bash
# Runs the five service images (services/*/target/jib-image.tar, from `mvn -Pimages package`)
# together without a container engine, each through run-in-chroot.py with its settings file from
# deploy/k8s/base/settings and the Compose file's overrides, against a running broker; after
# DURATION seconds it prints each service's /health and advrank_* counters, then stops them.
# Needs root. A check that the images work together, not a way to deploy.
#
# Usage: ./advrank broker --port 19392 &   # any reachable Kafka
#        BOOTSTRAP=127.0.0.1:19392 deploy/images/pipeline-in-chroot.sh [DURATION=180]
set -euo pipefail
cd "$(dirname "$0")/../.."
BOOTSTRAP="${BOOTSTRAP:?set BOOTSTRAP=host:port of a running broker}"
DURATION="${1:-180}"
LOGS="$(mktemp -d -t advrank-images.XXXXXX)"
FIXTURE="$PWD/services/core/src/test/resources/fixtures/fashion-mnist-mini"
declare -A PORT=([producer]=19410 [ranker]=19411 [attack-worker]=19412 [monitor]=19413 [defense-trainer]=19414)
PIDS=()
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  echo "logs: $LOGS"
}
trap cleanup EXIT

for s in producer attack-worker ranker monitor defense-trainer; do
  binds=(--bind "deploy/k8s/base/settings/$s.properties:/etc/advrank/$s.properties")
  [[ $s == producer ]] && binds+=(--bind "$FIXTURE:/data")
  # Ports moved off the defaults so that a demo or cluster on this machine does not collide.
  env ADVRANK_KAFKA_BOOTSTRAP_SERVERS="$BOOTSTRAP" ADVRANK_METRICS_PORT="${PORT[$s]}" \
    ADVRANK_QUERY_PORT=19420 ADVRANK_STATE_DIR=/tmp/monitor-state \
    deploy/images/run-in-chroot.py "${binds[@]}" "services/$s/target/jib-image.tar" \
    --settings "/etc/advrank/$s.properties" >"$LOGS/$s.log" 2>&1 &
  PIDS+=($!)
done
# ADVRANK_QUERY_PORT and ADVRANK_STATE_DIR are monitor keys; the other services ignore variables
# of keys they do not have.

sleep "$DURATION"
for s in producer attack-worker ranker monitor defense-trainer; do
  echo "== $s: $(curl -s "http://127.0.0.1:${PORT[$s]}/health" || echo 'no answer')"
  curl -s "http://127.0.0.1:${PORT[$s]}/metrics" \
    | grep -E '^advrank_(events_produced|events_forwarded|attacks|rankings|catalog_items|monitor_events|defense_steps|dead_letters)[a-z_]*(\{|\s)' \
    | grep -v '_bucket' | head -12 || true
done
