// The dashboard page: HTML, CSS and a small script in one document, so that it ships in the
// package as code (the bundle carries it) and needs nothing from the network but its own server's
// /events stream. The script keeps the last minutes of interval records and redraws on each:
// packet and bit rates per protocol as line charts (SVG), the protocol totals, the busiest flows,
// TCP by process and the newest execs as tables. Every figure is text in the DOM (data-* hooks),
// so what the page shows can be read back exactly.

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 0; background: #f6f7f9; color: #1d2330; }
header { background: #1d2330; color: #fff; padding: 10px 18px; display: flex; gap: 18px; align-items: baseline; }
header h1 { font-size: 16px; margin: 0; }
header .status { font-size: 12px; opacity: .8; }
main { display: grid; grid-template-columns: repeat(auto-fit, minmax(560px, 1fr)); gap: 14px; padding: 14px; }
section { background: #fff; border: 1px solid #dde1e7; border-radius: 6px; padding: 10px 14px; }
section h2 { font-size: 14px; margin: 0 0 8px; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: right; padding: 2px 6px; border-bottom: 1px solid #eef0f3; white-space: nowrap; }
th:first-child, td:first-child, td.text, th.text { text-align: left; }
td.text { max-width: 420px; overflow: hidden; text-overflow: ellipsis; }
svg { width: 100%; height: 170px; }
.legend span { margin-right: 12px; font-size: 12px; }
.unavailable { color: #a33; }
`;

const SCRIPT = `
"use strict";
const HISTORY_SECONDS = 600;
const COLORS = ["#2f6fdf", "#e0633a", "#2a9d5c", "#a24fc4", "#c9a227", "#4aa3b5", "#888"];
const history = [];
const $ = (id) => document.getElementById(id);

function fmt(n) {
  n = Number(n);
  if (!isFinite(n)) return "-";
  const units = ["", "k", "M", "G", "T"];
  let i = 0;
  while (Math.abs(n) >= 1000 && i < units.length - 1) { n /= 1000; i++; }
  return (i === 0 ? String(Math.round(n * 10) / 10) : n.toFixed(1)) + units[i];
}
function cell(text, cls) { const td = document.createElement("td"); td.textContent = text; if (cls) td.className = cls; return td; }
function fill(tbody, rows, columns, key) {
  tbody.replaceChildren(...rows.map((row) => {
    const tr = document.createElement("tr");
    if (key) tr.dataset.key = key(row);
    for (const [field, render, cls] of columns) {
      const td = cell(render(row), cls);
      td.dataset.field = field;
      tr.append(td);
    }
    return tr;
  }));
}
function protocolName(p) { return p.ip_version ? "IPv" + p.ip_version + " " + p.protocol_name : "not IP"; }

function chart(svg, legend, series, unit) {
  const w = 600, h = 160, pad = 34;
  let max = 1;
  for (const s of series) for (const [, v] of s.points) max = Math.max(max, v);
  // The window: the last ten minutes, or since the first record when the run is younger.
  const now = Date.parse(history[history.length - 1].time);
  const from = Math.max(now - HISTORY_SECONDS * 1000, Date.parse(history[0].time));
  const span = Math.max(1000, now - from);
  const x = (t) => pad + ((t - from) / span) * (w - pad);
  const y = (v) => h - 14 - (v / max) * (h - 24);
  const parts = ['<line x1="' + pad + '" y1="' + (h - 14) + '" x2="' + w + '" y2="' + (h - 14) + '" stroke="#ccd"/>',
    '<text x="0" y="12" font-size="11">' + fmt(max) + unit + '</text>',
    '<text x="0" y="' + (h - 16) + '" font-size="11">0</text>',
    '<text x="' + pad + '" y="' + h + '" font-size="11">-' + (span >= 120000 ? Math.round(span / 60000) + " min" : Math.round(span / 1000) + " s") + '</text>',
    '<text x="' + (w - 22) + '" y="' + h + '" font-size="11">now</text>'];
  series.forEach((s, i) => {
    const d = s.points.map(([t, v]) => x(t).toFixed(1) + "," + y(v).toFixed(1)).join(" ");
    parts.push('<polyline fill="none" stroke-width="1.6" stroke="' + COLORS[i % COLORS.length] + '" points="' + d + '"/>');
  });
  svg.setAttribute("viewBox", "0 0 " + w + " " + h);
  svg.innerHTML = parts.join("");
  legend.replaceChildren(...series.map((s, i) => {
    const span = document.createElement("span");
    span.style.color = COLORS[i % COLORS.length];
    span.textContent = s.name;
    return span;
  }));
}

function rateSeries(field) {
  const byName = new Map();
  for (const r of history) {
    const t = Date.parse(r.time);
    for (const p of (r.network && r.network.protocols) || []) {
      const name = protocolName(p);
      if (!byName.has(name)) byName.set(name, { name, points: [], total: 0 });
      const s = byName.get(name);
      const v = field(p);
      s.points.push([t, v]);
      s.total += v;
    }
  }
  return [...byName.values()].sort((a, b) => b.total - a.total).slice(0, 7);
}

function unavailable(section, part) {
  const on = part && part.available === false;
  section.classList.toggle("unavailable", on);
  section.querySelector(".reason").textContent = on ? "unavailable: " + part.reason : "";
  return on || !part;
}

function render() {
  const r = history[history.length - 1];
  if (!r) return;
  $("status").textContent = "updated " + new Date(r.time).toLocaleTimeString() + " · every " + r.interval_s + " s · up " + Math.round(r.elapsed_s) + " s";
  $("status").dataset.elapsed = String(r.elapsed_s);
  if (!unavailable($("network"), r.network)) {
    chart($("packets-chart"), $("packets-legend"), rateSeries((p) => Number(p.in_packets_per_s) + Number(p.out_packets_per_s)), " pkt/s");
    chart($("bits-chart"), $("bits-legend"), rateSeries((p) => (Number(p.in_bytes_per_s) + Number(p.out_bytes_per_s)) * 8), "bit/s");
    fill($("protocols").tBodies[0], r.network.protocols, [
      ["protocol", protocolName],
      ["in_packets_per_s", (p) => fmt(p.in_packets_per_s)],
      ["out_packets_per_s", (p) => fmt(p.out_packets_per_s)],
      ["in_bits_per_s", (p) => fmt(p.in_bytes_per_s * 8)],
      ["out_bits_per_s", (p) => fmt(p.out_bytes_per_s * 8)],
      ["total_packets", (p) => String(p.total_packets)],
      ["total_bytes", (p) => String(p.total_bytes)],
    ], protocolName);
    fill($("flows").tBodies[0], r.network.flows, [
      ["flow", (f) => f.direction + " " + f.protocol_name + " " + f.saddr + (f.sport != null ? ":" + f.sport : "") + " > " + f.daddr + (f.dport != null ? ":" + f.dport : ""), "text"],
      ["packets_per_s", (f) => fmt(f.packets_per_s)],
      ["bits_per_s", (f) => fmt(f.bytes_per_s * 8)],
      ["total_packets", (f) => String(f.total_packets)],
      ["total_bytes", (f) => String(f.total_bytes)],
    ]);
  }
  if (!unavailable($("tcp"), r.tcp) && r.tcp.total) {
    const t = r.tcp.total;
    $("tcp-total").textContent = t.connects + " connects, " + t.accepts + " accepts, " + t.failures + " failed, " + fmt(t.bytes_sent) + "B sent, " + fmt(t.bytes_received) + "B received since start";
    fill($("tcp-processes").tBodies[0], r.tcp.processes || [], [
      ["pid", (p) => String(p.pid)],
      ["comm", (p) => p.comm, "text"],
      ["connects", (p) => String(p.total.connects)],
      ["accepts", (p) => String(p.total.accepts)],
      ["bytes_sent", (p) => String(p.total.bytes_sent)],
      ["bytes_received", (p) => String(p.total.bytes_received)],
    ], (p) => String(p.pid));
  }
  if (!unavailable($("execs"), r.execs)) {
    $("execs-total").textContent = r.execs.ok + " started, " + r.execs.failed + " failed since start";
    $("execs-total").dataset.ok = String(r.execs.ok);
    const recent = [];
    for (let i = history.length - 1; i >= 0 && recent.length < 15; i--) {
      const events = (history[i].execs && history[i].execs.events) || [];
      for (let j = events.length - 1; j >= 0 && recent.length < 15; j--) recent.push(events[j]);
    }
    fill($("exec-events").tBodies[0], recent, [
      ["time", (e) => new Date(e.time).toLocaleTimeString(), "text"],
      ["pid", (e) => String(e.pid)],
      ["ret", (e) => String(e.ret)],
      ["command", (e) => e.command, "text"],
    ]);
  }
}

const source = new EventSource("events");
let pending = false;
source.onopen = () => { document.body.dataset.connected = "true"; };
source.onerror = () => { document.body.dataset.connected = "false"; $("status").textContent = "reconnecting…"; };
source.onmessage = (message) => {
  const record = JSON.parse(message.data);
  history.push(record);
  const oldest = Date.parse(record.time) - HISTORY_SECONDS * 1000;
  while (history.length && Date.parse(history[0].time) < oldest) history.shift();
  $("records").textContent = String(Number($("records").textContent) + 1);
  if (!pending) { pending = true; requestAnimationFrame(() => { pending = false; render(); }); }
};
`;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The whole page for a dashboard titled `title`. */
export function dashboardPage(title: string): string {
  const t = escapeHtml(title);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${t}</title><style>${STYLE}</style></head>
<body data-connected="false">
<header><h1>${t}</h1><span class="status" id="status">connecting…</span><span class="status">records: <span id="records">0</span></span></header>
<main>
<section id="network"><h2>Packets per protocol <span class="reason"></span></h2>
<svg id="packets-chart" role="img" aria-label="packets per second per protocol"></svg><div class="legend" id="packets-legend"></div>
<svg id="bits-chart" role="img" aria-label="bits per second per protocol"></svg><div class="legend" id="bits-legend"></div>
<table id="protocols"><thead><tr><th>protocol</th><th>in pkt/s</th><th>out pkt/s</th><th>in bit/s</th><th>out bit/s</th><th>packets</th><th>bytes</th></tr></thead><tbody></tbody></table>
<h2>Busiest flows</h2>
<table id="flows"><thead><tr><th>flow</th><th>pkt/s</th><th>bit/s</th><th>packets</th><th>bytes</th></tr></thead><tbody></tbody></table>
</section>
<section id="tcp"><h2>TCP by process <span class="reason"></span></h2><p id="tcp-total"></p>
<table id="tcp-processes"><thead><tr><th>pid</th><th class="text">comm</th><th>connects</th><th>accepts</th><th>sent</th><th>received</th></tr></thead><tbody></tbody></table>
</section>
<section id="execs"><h2>Recent execs <span class="reason"></span></h2><p id="execs-total"></p>
<table id="exec-events"><thead><tr><th>time</th><th>pid</th><th>ret</th><th class="text">command</th></tr></thead><tbody></tbody></table>
</section>
</main>
<script>${SCRIPT}</script>
</body></html>
`;
}
