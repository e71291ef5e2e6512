#!/usr/bin/env bash
# Verifies the Grafana dashboards and the Prometheus alert rules against a real Prometheus:
#   1. promtool check config / check rules / test rules (deploy/prometheus/);
#   2. runs `./advrank demo` on the committed Fashion-MNIST fixture (no dataset package needed),
#      with malformed records so that dead-lettering shows up too, and a real Prometheus (Debian's
#      `prometheus`, installed with apt-get when missing and running as root) scraping it;
#   3. runs every dashboard panel's PromQL through Prometheus's HTTP API (/api/v1/query) and fails
#      on any query that errors or returns no finite value, naming the metrics that were missing;
#   4. checks that Prometheus loaded the alert rules and evaluates them without errors.
#
# Usage: deploy/verify-dashboards.sh   (env: WARMUP_SECONDS=75, METRICS_PORT/PROMETHEUS_PORT=free
# ports, KEEP_TMP=1 to keep the work folder with the demo and Prometheus logs)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
WARMUP_SECONDS="${WARMUP_SECONDS:-75}"
FIXTURE="$ROOT/services/core/src/test/resources/fixtures/fashion-mnist-mini"

say() { echo "verify-dashboards: $*" >&2; }

if ! command -v prometheus >/dev/null || ! command -v promtool >/dev/null; then
  if [[ "$(id -u)" != 0 ]]; then
    say "needs Debian's prometheus package (apt-get install -y prometheus), and is not root"
    exit 2
  fi
  say "installing Debian's prometheus"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q prometheus >/dev/null \
    || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q prometheus >/dev/null; }
fi

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

echo "== promtool: config, rules, rule unit tests"
promtool check config deploy/prometheus/prometheus.yml
promtool check rules deploy/prometheus/rules/*.yml
promtool test rules deploy/prometheus/tests/*.test.yml

WORK="$(mktemp -d -t advrank-verify.XXXXXX)"
METRICS_PORT="${METRICS_PORT:-$(free_port)}"
PROMETHEUS_PORT="${PROMETHEUS_PORT:-$(free_port)}"
DEMO_PID="" PROM_PID=""
cleanup() {
  # Only the two processes this script started, by their ids; `wait` reports their exit status
  # (143 after SIGTERM), which must not end this trap early under `set -e`.
  local pid
  for pid in $DEMO_PID $PROM_PID; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [[ "${KEEP_TMP:-}" == 1 ]]; then say "logs kept in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

echo "== demo on :$METRICS_PORT, Prometheus on :$PROMETHEUS_PORT"
# The demo stops itself after --duration should this script be killed without its trap.
./advrank demo --data "$FIXTURE" --metrics-port "$METRICS_PORT" --duration 15m \
  --catalog-limit 300 --query-rate 10 --interval 15 --bad-records 20 >"$WORK/demo.log" 2>&1 &
DEMO_PID=$!

# The committed scrape config, pointed at this demo's port and scraping every 2 s.
sed -e "s/localhost:9400/127.0.0.1:$METRICS_PORT/" \
    -e "s/scrape_interval: 15s/scrape_interval: 2s/" \
    -e "s/evaluation_interval: 15s/evaluation_interval: 2s/" \
    -e "s#rules/advrank-alerts.yml#$ROOT/deploy/prometheus/rules/advrank-alerts.yml#" \
    deploy/prometheus/prometheus.yml >"$WORK/prometheus.yml"
prometheus --config.file="$WORK/prometheus.yml" --storage.tsdb.path="$WORK/tsdb" \
  --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" >"$WORK/prometheus.log" 2>&1 &
PROM_PID=$!

t0=$SECONDS
until curl -fs "http://127.0.0.1:$METRICS_PORT/health" >/dev/null; do
  if ! kill -0 "$DEMO_PID" 2>/dev/null || ((SECONDS - t0 > 300)); then
    say "the demo did not become healthy; its log:"
    tail -40 "$WORK/demo.log" >&2
    exit 1
  fi
  sleep 2
done
say "demo healthy after $((SECONDS - t0)) s; letting Prometheus scrape for $WARMUP_SECONDS s"
sleep "$WARMUP_SECONDS"
if ! kill -0 "$DEMO_PID" 2>/dev/null; then
  say "the demo stopped early; its log:"
  tail -40 "$WORK/demo.log" >&2
  exit 1
fi

echo "== every dashboard panel's PromQL through http://127.0.0.1:$PROMETHEUS_PORT/api/v1/query"
python3 - "http://127.0.0.1:$PROMETHEUS_PORT" grafana/dashboards/*.json <<'PY'
import json, math, re, sys, urllib.parse, urllib.request

base, files = sys.argv[1], sys.argv[2:]
# Grafana's built-in interval variables, as Grafana would set them for a 2 s scrape interval
# and a few-minute view (a rate window must span several scrapes).
GRAFANA_VARS = {"$__rate_interval": "1m", "$__interval": "15s", "$__range": "5m"}
PROMQL_WORDS = {"sum", "by", "rate", "increase", "max", "min", "avg", "histogram_quantile", "or",
                "vector", "abs", "without", "on", "ignoring", "unless", "and", "count", "le",
                "bool", "offset", "topk", "bottomk", "label_replace", "irate", "delta", "up"}

def get(path, **params):
    url = base + path + ("?" + urllib.parse.urlencode(params) if params else "")
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return json.load(r)
    except urllib.error.HTTPError as e:
        return json.load(e)

known = set(get("/api/v1/label/__name__/values")["data"])

def missing_metrics(expr):
    # Label names in grouping clauses and label values are not metric names.
    bare = re.sub(r'"[^"]*"', "", expr)
    bare = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", bare)
    names = set(re.findall(r"[a-zA-Z_:][a-zA-Z0-9_:]*(?=\s*[{\[)])", bare)) - PROMQL_WORDS
    return sorted(n for n in names if n not in known and not n.startswith("__"))

failed = 0
total = 0
for f in files:
    dashboard = json.load(open(f))
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            total += 1
            expr = target["expr"]
            for var, value in GRAFANA_VARS.items():
                expr = expr.replace(var, value)
            where = f'{f.split("/")[-1]} / "{panel["title"]}" [{target["refId"]}]'
            answer = get("/api/v1/query", query=expr)
            if answer.get("status") != "success":
                failed += 1
                print(f"FAIL  {where}: error {answer.get('errorType')}: {answer.get('error')}")
                continue
            result = answer["data"]["result"]
            values = [float(s["value"][1]) for s in result] if isinstance(result, list) else []
            finite = [v for v in values if math.isfinite(v)]
            if finite:
                print(f"ok    {where}: {len(result)} series")
                continue
            failed += 1
            gone = missing_metrics(expr)
            why = "no data" if not result else f"{len(result)} series, none finite"
            if gone:
                owners = {n: "services/monitor" for n in gone if n.startswith("advrank_monitor_")}
                why += "; never scraped: " + ", ".join(
                    n + (f" (from {owners[n]})" if n in owners else "") for n in gone)
            print(f"FAIL  {where}: {why}\n      {expr}")

panel_failed = failed
rules = get("/api/v1/rules")["data"]["groups"]
rule_count = sum(len(g["rules"]) for g in rules)
bad_rules = [r for g in rules for r in g["rules"] if r.get("health") not in ("ok", "unknown")]
for r in bad_rules:
    failed += 1
    print(f"FAIL  rule {r['name']}: {r.get('health')} {r.get('lastError')}")
if rule_count == 0:
    failed += 1
    print("FAIL  Prometheus loaded no alert rules")
else:
    print(f"ok    {rule_count} alert rules loaded, evaluated without errors")
print(f"{total - panel_failed} of {total} panel queries returned data; {failed} failure(s)")
sys.exit(1 if failed else 0)
PY
