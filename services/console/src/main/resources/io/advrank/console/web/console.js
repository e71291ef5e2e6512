// advrank console: polls /api/state (and the monitor's /drift through /api/drift) and renders
// plain DOM. No framework, no build step, nothing from the internet.
"use strict";

const COLORS = { "CA+": "#dc2626", "CA-": "#2563eb", "QA+": "#ea580c", "QA-": "#0891b2",
  "SP-QA+": "#9333ea", "SP-QA-": "#16a34a", "ES": "#6b7280" };

function esc(s) {
  return String(s ?? "").replace(/[&<>"']/g,
    c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}
const num = (x, d = 3) => (x === null || x === undefined) ? "–" : Number(x).toFixed(d);
const time = ms => ms ? new Date(ms).toLocaleTimeString() : "–";
const img = (src, cls, alt) => src
  ? `<img class="${cls}" src="${esc(src)}" alt="${esc(alt)}">`
  : `<div class="missing">${esc(alt)}<br>not in memory</div>`;

function renderAttacks(attacks) {
  if (!attacks.length) return;
  document.getElementById("attacks").innerHTML = attacks.map(a => `
    <div class="card attack">
      <div class="imgs">
        ${img(a.original_img, "attack-img original", "original")}
        ${img(a.adversarial_img, "attack-img adversarial", "adversarial")}
        ${img(a.perturbation_img, "attack-img perturbation", "perturbation")}
      </div>
      <div><b>${esc(a.type)}</b> on <code>${esc(a.subject_id)}</code>
        ε ${num(a.epsilon)} · L∞ ${num(a.linf)} · model <code>${esc(a.model_version)}</code></div>
      <div>rank percentile ${num(a.rank_before, 1)} → ${num(a.rank_after, 1)}
        ${a.success === null ? "" : a.success ? '<span class="ok">success</span>'
          : '<span class="no">no success</span>'} · ${time(a.produced_at_ms)}</div>
    </div>`).join("");
}

function rankingRow(tag, r, targets) {
  if (!r) {
    return `<div class="ranking"><span class="tag">${tag}</span>
      <span class="empty">not seen yet: the ranker answers delivered queries only; this shows its
      answer to the same photo sent un-attacked by another shopper, once one is seen</span></div>`;
  }
  const hits = r.hits.map(h => `<span class="hit${targets.includes(h.item_id) ? " target" : ""}"
      title="${esc(h.item_id)} label ${esc(h.label)} d=${num(h.distance)}">
      ${img(h.img, "hit", h.item_id)}</span>`).join("");
  return `<div class="ranking"><span class="tag">${tag}<br><code>${esc(r.model_version)}</code>
    </span>${hits}</div>`;
}

function renderHijacks(hijacks) {
  if (!hijacks.length) return;
  document.getElementById("hijacks").innerHTML = hijacks.map(h => `
    <div class="hijack">
      <div class="query">${img(h.query_img, "query-img", "delivered query")}
        <div><b>${esc(h.type)}</b> ε ${num(h.epsilon)}<br><code>${esc(h.query_id)}</code></div></div>
      <div>
        ${rankingRow("clean", h.clean, h.target_ids)}
        ${rankingRow("delivered", h.delivered, h.target_ids)}
        <div><small>red frame: the attack's target items</small></div>
      </div>
    </div>`).join("");
}

function renderAlerts(alerts) {
  if (!alerts.length) return;
  document.querySelector("#alerts tbody").innerHTML = alerts.map(a => {
    const ev = Object.entries(a.evidence).map(([k, v]) => `${esc(k)}=${esc(v)}`).join(", ");
    const truth = a.ground_truth
      ? `<span class="ok">attacked (${esc(a.ground_truth)})</span>`
      : `<span class="no">no attack on record</span>`;
    return `<tr class="alert"><td>${time(a.raised_at_ms)}</td><td>${esc(a.signal)}</td>
      <td>${esc(a.subject_kind)} <code>${esc(a.subject_id)}</code></td>
      <td>${num(a.value)} / ${num(a.threshold)}</td><td><code>${ev}</code></td>
      <td><code>${esc(a.model_version)}</code></td><td>${truth}</td></tr>`;
  }).join("");
}

function renderDrift(drift) {
  const types = Object.keys(drift);
  const el = document.getElementById("drift-chart");
  if (!types.length) { el.innerHTML = '<p class="empty">no rank shift yet</p>'; return; }
  const pts = types.flatMap(t => drift[t]);
  const t0 = Math.min(...pts.map(p => p.t_ms)), t1 = Math.max(...pts.map(p => p.t_ms)) || t0 + 1;
  const ys = pts.map(p => p.after - p.before);
  const lo = Math.min(0, ...ys), hi = Math.max(0, ...ys), W = 900, H = 180, P = 30;
  const x = t => P + (W - 2 * P) * (t1 === t0 ? 0.5 : (t - t0) / (t1 - t0));
  const y = v => H - P - (H - 2 * P) * (hi === lo ? 0.5 : (v - lo) / (hi - lo));
  const lines = types.map(t => {
    const c = COLORS[t] || "#333";
    const d = drift[t].map(p => `${x(p.t_ms).toFixed(1)},${y(p.after - p.before).toFixed(1)}`);
    return `<polyline fill="none" stroke="${c}" stroke-width="2" points="${d.join(" ")}"/>` +
      drift[t].map(p => `<circle r="2.5" fill="${c}" cx="${x(p.t_ms)}" cy="${y(p.after - p.before)}">
        <title>${esc(t)} ${time(p.t_ms)}: ${num(p.before, 1)} → ${num(p.after, 1)} (n=${p.n})</title></circle>`).join("");
  }).join("");
  el.innerHTML = `<svg id="drift-svg" viewBox="0 0 ${W} ${H}" width="100%" height="${H}">
    <line x1="${P}" x2="${W - P}" y1="${y(0)}" y2="${y(0)}" stroke="#999" stroke-dasharray="3"/>
    <text x="2" y="${y(hi) + 4}" font-size="10">${num(hi, 1)}</text>
    <text x="2" y="${y(lo) + 4}" font-size="10">${num(lo, 1)}</text>
    <text x="${P}" y="${H - 6}" font-size="10">${time(t0)}</text>
    <text x="${W - P - 50}" y="${H - 6}" font-size="10">${time(t1)}</text>${lines}</svg>
    <div class="legend">${types.map(t => `<span style="color:${COLORS[t] || "#333"}">■ ${esc(t)}</span>`).join("")}
    <small>below 0: moved up the ranking (CA+, SP-QA+ succeed downwards)</small></div>`;
}

function renderModels(versions, inUse, decisions) {
  const status = v => v.status === "servable" ? '<span class="ok">servable</span>'
    : v.status === "refused"
      ? `<span class="no" title="${esc(v.detail)}">refused: ${esc(v.reason)}</span>`
      : "incomplete";
  const published = versions.map(v => `
    <tr class="${esc(v.status)}"><td><code>${esc(v.version)}</code>${v.active ? " <b>(active)</b>" : ""}</td>
    <td><code>${esc(v.parent)}</code></td><td>published ${time(v.created_at_ms)}</td>
    <td><code>${esc(String(v.sha256).slice(0, 12))}</code></td><td>${status(v)}</td></tr>`);
  const served = inUse.filter(v => !v.published).map(v => `
    <tr><td><code>${esc(v.version)}</code></td><td>–</td>
    <td>ranking with it since ${time(v.first_seen_ms)}</td><td>(not on advrank.models)</td><td>served</td></tr>`);
  document.querySelector("#versions tbody").innerHTML = published.concat(served).join("")
    || '<tr><td colspan="5" class="empty">no version seen yet</td></tr>';
  document.querySelector("#decisions tbody").innerHTML = decisions.map(d => {
    const keys = Object.keys(d.candidate_metrics);
    const m = keys.map(k => `${esc(k)} ${num(d.parent_metrics[k])} → ${num(d.candidate_metrics[k])}`);
    return `<tr><td>${time(d.decided_at_ms)}</td><td><code>${esc(d.candidate)}</code></td>
      <td>${d.published ? '<span class="ok">published</span>' : '<span class="no">rejected</span>'}</td>
      <td>${esc(d.reason)}</td><td><code>${m.join("<br>")}</code></td></tr>`;
  }).join("") || '<tr><td colspan="5" class="empty">no gate decision yet</td></tr>';
}

async function refresh() {
  const status = document.getElementById("status");
  try {
    const s = await (await fetch("api/state", { cache: "no-store" })).json();
    renderAttacks(s.attacks);
    renderHijacks(s.hijacks);
    renderAlerts(s.alerts);
    renderDrift(s.drift);
    renderModels(s.versions, s.versions_in_use, s.decisions);
    const counts = Object.entries(s.consumed).map(([t, n]) => `${t.replace("advrank.", "")} ${n}`);
    status.textContent = s.feed_failure ? "Kafka feed stopped: " + s.feed_failure
      : `${time(s.now_ms)} · catalog ${s.catalog_items} · read: ${counts.join(" · ")}`;
    status.className = s.feed_failure ? "bad" : "";
  } catch (e) {
    status.textContent = "console unreachable: " + e;
    status.className = "bad";
  }
}

async function refreshDrift() {
  const el = document.getElementById("monitor-drift");
  try {
    const d = await (await fetch("api/drift", { cache: "no-store" })).json();
    if (d.error) { el.innerHTML = `<p class="empty">${esc(d.error)}</p>`; return; }
    el.innerHTML = d.length ? `<table><tr><th>item</th><th>drift score</th><th>sightings</th>
      <th>baseline mean</th><th>model</th></tr>${d.map(i => `<tr><td>${img(`img/item?id=${encodeURIComponent(i.item)}`, "drift-img", i.item).replace("<img", '<img style="width:28px;height:28px"')}
      <code>${esc(i.item)}</code></td><td>${num(i.drift_score, 2)}</td><td>${esc(i.last_sightings)}</td>
      <td>${num(i.baseline_mean, 2)}</td><td><code>${esc(i.model_version)}</code></td></tr>`).join("")}</table>`
      : '<p class="empty">no drift state yet</p>';
  } catch (e) {
    el.innerHTML = `<p class="empty">${esc(e)}</p>`;
  }
}

refresh();
refreshDrift();
setInterval(refresh, 2000);
setInterval(refreshDrift, 5000);
