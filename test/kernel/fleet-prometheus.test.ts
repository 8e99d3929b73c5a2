// Many hosts through Prometheus, for real: three `tsbpf agent`s in three network namespaces (three
// simulated hosts), each joined by a veth link to a fourth namespace, the monitoring host, where
// Debian's `prometheus` runs with the packaged scrape configuration (targets replaced) and rules.
// Known traffic (a different number of pings per host) and execs (a marker program, a different
// number per host, plus one exec that fails) are sent, and PromQL through Prometheus' HTTP API must
// give per-host and summed counters equal to what was sent, and rates equal to it over the window
// within the limits of Prometheus' documented extrapolation, computed from the samples it holds.
// Every query of the packaged Grafana dashboard runs against the same Prometheus.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, stringify } from "yaml";
import { packagePath } from "../../src/package-root.js";
import { parseExposition } from "../../src/tools/common/metrics.js";
import { runIn, vethPairFor, type NetnsEnd, type VethPair } from "../helpers/netns.js";
import { eventually, PrometheusProcess, type PromResult } from "../helpers/prometheus.js";
import { commandExists, scrapeIn, ToolProcess } from "../helpers/tool-process.js";

const RULES = packagePath("prometheus", "tsbpf-rules.yml");
const SCRAPE_CONFIG = packagePath("prometheus", "prometheus.yml");
const DASHBOARD = packagePath("prometheus", "grafana-dashboard.json");

/** What each simulated host is sent: echo requests it receives, marker programs run in it. */
const SENT = [
  { pings: 3, execs: 2 },
  { pings: 5, execs: 4 },
  { pings: 7, execs: 6 },
];
/** Execs per host of a program that does not exist (result "failed", errno ENOENT). */
const FAILED_EXECS = 1;
const AGENT_PORT = 9435;
/** Prometheus' scrape and rule evaluation interval, seconds. */
const SCRAPE_S = 1;

const ICMP_IN = 'protocol="icmp", direction="ingress", ip_version="4"';

interface Host {
  end: NetnsEnd;
  /** The `host` label the scrape configuration's relabelling gives it: the target without its port. */
  label: string;
  agent: ToolProcess;
  pings: number;
  execs: number;
}

function requireCommands(): void {
  for (const command of ["prometheus", "promtool"])
    assert.ok(commandExists(command), `${command} is not installed (Debian package prometheus; npm test installs it)`);
}

/** The value of each series of a vector result, by its host label. */
function byHost(result: PromResult): Record<string, number> {
  assert.equal(result.resultType, "vector");
  return Object.fromEntries(result.result.map((s) => [s.metric.host ?? "", Number(s.value![1])]));
}

function single(result: PromResult): number {
  assert.equal(result.resultType, "vector");
  assert.equal(result.result.length, 1, JSON.stringify(result.result));
  return Number(result.result[0]!.value![1]);
}

/**
 * `sum(rate(SELECTOR[window]))` at `at` against what was sent. Prometheus' rate is the increase
 * between the first and last samples in the window (which must be exactly `sent`: the window holds
 * a sample from before the traffic and one from after it), stretched towards the window's ends by
 * at most 1.1 average sample intervals at either end (its documented extrapolation), divided by
 * the window. Those bounds are computed from the very samples Prometheus holds.
 */
async function assertRate(
  prometheus: PrometheusProcess,
  selector: string,
  windowS: number,
  at: number,
  sent: number,
): Promise<void> {
  const range = `${Math.round(windowS * 1000)}ms`;
  const raw = await prometheus.query(`${selector}[${range}]`, at);
  assert.equal(raw.resultType, "matrix");
  assert.ok(raw.result.length > 0, `no samples of ${selector}`);
  let sampled = 0,
    high = 0;
  for (const series of raw.result) {
    const points = series.values!.map(([ts, value]) => [ts, Number(value)] as const);
    assert.ok(points.length >= 2, `${selector}: ${JSON.stringify(series)}`);
    const span = points.at(-1)![0] - points[0]![0];
    const increase = points.at(-1)![1] - points[0]![1];
    sampled += increase;
    high += increase * ((span + 2 * 1.1 * (span / (points.length - 1))) / span);
  }
  assert.equal(sampled, sent, `${selector}: the samples' increase over ${range}`);
  const rate = single(await prometheus.query(`sum(rate(${selector}[${range}]))`, at));
  const [low, up] = [sent / windowS, high / windowS];
  assert.ok(rate >= low - 1e-9 && rate <= up + 1e-9, `${selector}: rate ${rate} per second not in [${low}, ${up}]`);
}

/** Moves the "a" end of `pair` into the monitoring namespace, renamed, with its address. */
function joinMonitor(pair: VethPair, monitor: NetnsEnd, ifname: string): void {
  pair.run(pair.a, "ip", ["link", "set", pair.a.ifname, "name", ifname]);
  pair.run(pair.a, "ip", ["link", "set", ifname, "netns", monitor.name]);
  runIn(monitor, "ip", ["addr", "add", `${pair.a.address}/24`, "dev", ifname]);
  runIn(monitor, "ip", ["link", "set", ifname, "up"]);
}

test("the packaged Prometheus rules and scrape configuration pass promtool", () => {
  requireCommands();
  const rules = spawnSync("promtool", ["check", "rules", RULES], { encoding: "utf8" });
  assert.equal(rules.status, 0, rules.stdout + rules.stderr);
  assert.match(rules.stdout, /SUCCESS: \d+ rules found/);
  const config = spawnSync("promtool", ["check", "config", SCRAPE_CONFIG], { encoding: "utf8" });
  assert.equal(config.status, 0, config.stdout + config.stderr);
});

test("fleet: Prometheus scrapes three agents on three hosts; PromQL counts and rates equal what was sent", async (t) => {
  requireCommands();
  const pairs = SENT.map(() => vethPairFor(t));
  const monitor = pairs[0]!.a;
  pairs.slice(1).forEach((pair, i) => joinMonitor(pair, monitor, `fleet${i + 1}`));

  // The agents: the packaged collectors, metrics on the address the monitoring host reaches.
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-fleet-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const hosts: Host[] = pairs.map((pair, i) => {
    const config = join(dir, `agent-${i}.yaml`);
    writeFileSync(
      config,
      [
        `interfaces: [${pair.b.ifname}]`,
        "interval: 1s",
        `metrics: ${pair.b.address}:${AGENT_PORT}`,
        "events: false",
        // Execs of this namespace only: the three hosts share one kernel.
        "collectors: { packets: true, flows: { top: 5 }, tcp: true, exec: { scope: netns } }",
      ].join("\n"),
    );
    const agent = ToolProcess.start(["agent", "--config", config], { netnsPath: pair.b.path });
    t.after(() => {
      if (agent.running) agent.kill("SIGKILL");
    });
    return { end: pair.b, label: pair.b.address, agent, ...SENT[i]! };
  });
  for (const h of hosts) await h.agent.waitFor((p) => /serving Prometheus metrics on/.test(p.stderr), "the endpoint");

  // The packaged scrape configuration with these targets and a short interval.
  const config = parse(readFileSync(SCRAPE_CONFIG, "utf8")) as {
    global: Record<string, string>;
    rule_files: string[];
    scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
  };
  config.global.scrape_interval = `${SCRAPE_S}s`;
  config.global.evaluation_interval = `${SCRAPE_S}s`;
  config.rule_files = [RULES];
  config.scrape_configs[0]!.static_configs = [{ targets: hosts.map((h) => `${h.end.address}:${AGENT_PORT}`) }];
  const prometheus = PrometheusProcess.start(t, monitor.path, stringify(config));
  await prometheus.ready();
  const labels = hosts.map((h) => h.label).sort();
  const hostMatcher = (h: Host): string => `host="${h.label}"`;

  await eventually(
    async () =>
      Object.values(byHost(await prometheus.query('up{job="tsbpf"}'))).filter((v) => v === 1).length === hosts.length,
    "every agent scraped",
    async () => JSON.stringify(await prometheus.get("/api/v1/targets")),
  );

  // One echo request per host first, so that the ICMP series exists before the counted traffic and
  // a sample of it (value 1) with the exec counter still at 0 can open the rate windows.
  for (const h of hosts) runIn(monitor, "ping", ["-n", "-q", "-c", "1", "-W", "2", h.end.address]);
  const primed = Date.now() / 1000;
  const baseline = new Map<Host, number>();
  await eventually(
    async () => {
      for (const h of hosts) {
        if (baseline.has(h)) continue;
        const r = await prometheus.query(`timestamp(tsbpf_flows_packets_total{${hostMatcher(h)}, ${ICMP_IN}} == 1)`);
        if (r.result.length === 1 && Number(r.result[0]!.value![1]) > primed)
          baseline.set(h, Number(r.result[0]!.value![1]));
      }
      return baseline.size === hosts.length;
    },
    "a sample of each host after the first ping",
    async () => JSON.stringify((await prometheus.query(`tsbpf_flows_packets_total{${ICMP_IN}}`)).result),
  );
  for (const h of hosts)
    assert.equal(
      single(await prometheus.query(`tsbpf_exec_total{${hostMatcher(h)}, result="ok"}`, baseline.get(h))),
      0,
    );

  // The counted traffic and execs.
  for (const h of hosts) {
    runIn(monitor, "ping", ["-n", "-q", "-c", String(h.pings), "-i", "0.2", "-W", "2", h.end.address]);
    for (let i = 0; i < h.execs; i++) runIn(h.end, "/bin/true", []);
    for (let i = 0; i < FAILED_EXECS; i++) {
      const r = runIn(h.end, "/nonexistent/tsbpf-fleet-marker", [], { allowFailure: true });
      assert.notEqual(r.status, 0);
    }
  }

  // Every agent writes a record after sampling its collectors: once Prometheus holds a record count
  // above the one an agent shows now, that scrape holds everything sent.
  const recordsNow = new Map(
    hosts.map((h) => {
      const body = scrapeIn(monitor.path, `http://${h.end.address}:${AGENT_PORT}/metrics`).body;
      return [h, parseExposition(body).get("tsbpf_agent_records_total")!.samples[0]!.value] as const;
    }),
  );
  const final = new Map<Host, number>();
  await eventually(
    async () => {
      for (const h of hosts) {
        const r = await prometheus.query(
          `timestamp(tsbpf_agent_records_total{${hostMatcher(h)}} > ${recordsNow.get(h)})`,
        );
        if (r.result.length === 1) final.set(h, Number(r.result[0]!.value![1]));
      }
      return final.size === hosts.length;
    },
    "a scrape of each agent after the traffic",
    async () => JSON.stringify((await prometheus.query("tsbpf_agent_records_total")).result),
  );
  const end = Math.max(...final.values());

  // Counters, per host and summed.
  const sum = (field: "pings" | "execs"): number => hosts.reduce((n, h) => n + h[field], 0);
  const expected = (value: (h: Host) => number): Record<string, number> =>
    Object.fromEntries(hosts.map((h) => [h.label, value(h)]));
  assert.deepEqual(
    byHost(await prometheus.query(`sum by (host) (tsbpf_flows_packets_total{${ICMP_IN}})`, end)),
    expected((h) => h.pings + 1),
  );
  assert.deepEqual(
    byHost(await prometheus.query(`sum by (host) (tsbpf_exec_total{result="ok"})`, end)),
    expected((h) => h.execs),
  );
  assert.deepEqual(
    byHost(await prometheus.query(`sum by (host) (tsbpf_exec_failures_total{errno="ENOENT"})`, end)),
    expected(() => FAILED_EXECS),
  );
  assert.equal(
    single(await prometheus.query(`sum(tsbpf_flows_packets_total{${ICMP_IN}})`, end)),
    sum("pings") + hosts.length,
  );
  assert.equal(single(await prometheus.query(`sum(tsbpf_exec_total{result="ok"})`, end)), sum("execs"));
  assert.equal(
    single(await prometheus.query(`sum(tsbpf_exec_total{result="failed"})`, end)),
    FAILED_EXECS * hosts.length,
  );

  // Rates per host, from a scrape interval before the first ping to its final sample, and summed over the
  // hosts in one window; both for the ICMP counter (which starts at the first ping's 1) and the
  // exec counter (which starts at 0).
  for (const h of hosts) {
    // The window opens a scrape interval before the first ping: it holds the baseline sample
    // (ICMP at 1, execs at 0) whatever the exact scrape times, and nothing counted before it.
    const windowS = final.get(h)! - primed + SCRAPE_S;
    await assertRate(
      prometheus,
      `tsbpf_flows_packets_total{${hostMatcher(h)}, ${ICMP_IN}}`,
      windowS,
      final.get(h)!,
      h.pings,
    );
    await assertRate(prometheus, `tsbpf_exec_total{${hostMatcher(h)}, result="ok"}`, windowS, final.get(h)!, h.execs);
  }
  const windowS = end - primed + SCRAPE_S;
  await assertRate(prometheus, `tsbpf_flows_packets_total{${ICMP_IN}}`, windowS, end, sum("pings"));
  await assertRate(prometheus, 'tsbpf_exec_total{result="ok"}', windowS, end, sum("execs"));

  // The rules: loaded and healthy, and the recording rules hold every host and the fleet's sum.
  const { groups } = await prometheus.get<{
    groups: { name: string; rules: { name: string; health: string; lastError?: string }[] }[];
  }>("/api/v1/rules");
  assert.deepEqual(groups.map((g) => g.name).sort(), ["tsbpf-alerts", "tsbpf-recording"]);
  for (const rule of groups.flatMap((g) => g.rules)) assert.equal(rule.health, "ok", `${rule.name}: ${rule.lastError}`);
  const recorded = await eventually(
    async () => {
      const r = await prometheus.query(`host_protocol:tsbpf_packets:rate1m{${ICMP_IN}}`);
      return r.result.length === hosts.length && r;
    },
    "the recording rule for every host",
    async () => JSON.stringify((await prometheus.query("host_protocol:tsbpf_packets:rate1m")).result),
  );
  assert.deepEqual(Object.keys(byHost(recorded)).sort(), labels);
  assert.ok(Object.values(byHost(recorded)).every((v) => v > 0));
  assert.deepEqual(Object.keys(byHost(await prometheus.query('host:tsbpf_execs:rate1m{result="ok"}'))).sort(), labels);

  // Every panel of the dashboard, its variables substituted as Grafana would with all hosts
  // selected: instant targets as instant queries, the others as a range over the test's minute.
  const dashboard = JSON.parse(readFileSync(DASHBOARD, "utf8")) as {
    templating: { list: { name: string; definition?: string }[] };
    panels: { title: string; targets: { expr: string; instant?: boolean }[] }[];
  };
  const hostVariable = dashboard.templating.list.find((v) => v.name === "host")!;
  assert.equal(hostVariable.definition, 'label_values(up{job="tsbpf"}, host)');
  assert.deepEqual(
    (await prometheus.get<string[]>("/api/v1/label/host/values", { "match[]": 'up{job="tsbpf"}' })).sort(),
    labels,
  );
  const allHosts = `(${labels.map((l) => l.replaceAll(".", "\\\\.")).join("|")})`;
  const rangeS = Math.ceil(end - primed) + 5;
  const substitute = (expr: string): string =>
    expr
      .replaceAll("$host", allHosts)
      .replaceAll("$__rate_interval", `${4 * SCRAPE_S}s`)
      .replaceAll("$__range", `${rangeS}s`);
  assert.ok(dashboard.panels.length >= 8);
  for (const panel of dashboard.panels) {
    assert.ok(panel.targets.length > 0, `${panel.title}: no query`);
    for (const target of panel.targets) {
      const expr = substitute(target.expr);
      assert.doesNotMatch(expr, /\$/, `${panel.title}: a variable left in ${expr}`);
      const result = target.instant
        ? await prometheus.query(expr, end)
        : await prometheus.queryRange(expr, end - rangeS, end, SCRAPE_S);
      assert.equal(result.resultType, target.instant ? "vector" : "matrix", `${panel.title}: ${expr}`);
      assert.ok(result.result.length > 0, `${panel.title}: no series from ${expr}`);
      for (const series of result.result) {
        const points = series.values ?? [series.value!];
        assert.ok(points.length > 0 && points.every(([ts, v]) => Number.isFinite(ts) && !Number.isNaN(Number(v))));
        if (expr.includes("by (host"))
          assert.ok(labels.includes(series.metric.host!), `${panel.title}: ${series.metric.host}`);
      }
    }
  }

  // An agent that stops answering is up == 0 and the TsbpfAgentDown alert pending for its host.
  const gone = hosts[2]!;
  gone.agent.kill("SIGKILL");
  await gone.agent.exit();
  await eventually(
    async () =>
      (await prometheus.query(`ALERTS{alertname="TsbpfAgentDown", alertstate="pending", ${hostMatcher(gone)}}`)).result
        .length === 1,
    "the alert pending",
    async () => JSON.stringify(await prometheus.get("/api/v1/alerts")),
  );
  assert.deepEqual(byHost(await prometheus.query('up{job="tsbpf"} == 0')), { [gone.label]: 0 });
});
