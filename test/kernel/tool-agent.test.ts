// `tsbpf agent` run for real inside one end of a veth pair with a YAML configuration: its one
// /metrics endpoint counts the exact pings and shows every configured collector, its NDJSON goes
// to a size-rotated file, SIGHUP applies a new configuration (and refuses a broken one while the
// running one stays), and SIGKILL leaves nothing attached or loaded.
import { test } from "node:test";
import { spawnSync } from "node:child_process";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { reopenProgram } from "../../src/programs/net-common.js";
import { xdpInfo } from "../../src/programs/xdp.js";
import { closeFd } from "../../src/sys/bpf.js";
import { parseExposition } from "../../src/tools/common/metrics.js";
import { vethPairFor } from "../helpers/netns.js";
import { commandExists, ndjsonRecords, scrapeIn, ToolProcess } from "../helpers/tool-process.js";
import { packagePath } from "../../src/package-root.js";

type Rec = Record<string, unknown>;
const PINGS = 5;

function workDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-agent-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function sampleSum(body: string, family: string, where: (labels: Record<string, string>) => boolean): number {
  const f = parseExposition(body).get(family);
  return (f?.samples ?? []).filter((s) => where(s.labels)).reduce((n, s) => n + s.value, 0);
}

test("agent: one /metrics for every configured collector, the exact pings counted, NDJSON in a rotated file", async (t) => {
  const pair = vethPairFor(t);
  const dir = workDir(t);
  const config = join(dir, "agent.yaml");
  const events = join(dir, "events.ndjson");
  writeFileSync(
    config,
    [
      `interfaces: [${pair.b.ifname}]`,
      "interval: 200ms",
      "metrics: 127.0.0.1:0",
      "events:",
      `  output: ${events}`,
      "  max_size: 8KiB",
      "  keep: 2",
      "collectors:",
      "  packets: true",
      "  flows: { top: 5 }",
      "  tcp: true",
      "  exec: { keep: 5 }",
    ].join("\n"),
  );
  const agent = ToolProcess.start(["agent", "--config", config], { netnsPath: pair.b.path });
  t.after(() => {
    if (agent.running) agent.kill("SIGKILL");
  });
  const url = await agent.waitFor(
    (p) => /serving Prometheus metrics on (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(p.stderr)?.[1],
    "the metrics address",
  );
  pair.ping(pair.a, PINGS);
  const body = scrapeIn(pair.b.path, url).body;
  assert.equal(
    sampleSum(body, "tsbpf_flows_packets_total", (l) => l.protocol === "icmp" && l.direction === "ingress"),
    PINGS,
  );
  const info = parseExposition(body).get("tsbpf_agent_info")!.samples[0]!;
  assert.equal(info.labels.collectors, "network,tcp,execs");
  for (const family of ["tsbpf_tcp_connections_opened_total", "tsbpf_exec_total", "tsbpf_agent_records_total"])
    assert.ok(
      parseExposition(body).has(family),
      `${family} in /metrics: ${[...parseExposition(body).keys()].join(" ")}`,
    );

  // Intervals every 200 ms with flow and exec rows outgrow 8 KiB: FILE, FILE.1 and FILE.2 at most.
  await agent.waitFor(() => readdirSync(dir).includes("events.ndjson.2"), "two rotations", 30_000);
  agent.kill("SIGTERM");
  assert.equal((await agent.exit()).code, 0, agent.stderr);
  const files = readdirSync(dir)
    .filter((f) => f.startsWith("events.ndjson"))
    .sort();
  assert.deepEqual(files, ["events.ndjson", "events.ndjson.1", "events.ndjson.2"]);
  for (const f of files) {
    const records = ndjsonRecords(readFileSync(join(dir, f), "utf8"));
    assert.ok(records.length > 0 && records.every((r) => typeof r.type === "string"), `${f} holds whole records`);
  }
  const last = ndjsonRecords(readFileSync(events, "utf8")).at(-1)!;
  assert.deepEqual([last.type, last.stopped_by], ["stop", "SIGTERM"]);
});

test("agent: SIGHUP applies a new configuration and refuses a broken one, the running one staying", async (t) => {
  const pair = vethPairFor(t);
  const dir = workDir(t);
  const config = join(dir, "agent.yaml");
  const write = (collectors: string): void =>
    writeFileSync(
      config,
      `interfaces: [${pair.b.ifname}]\ninterval: 200ms\nmetrics: false\ncollectors: ${collectors}\n`,
    );
  write("{ packets: true }");
  const agent = ToolProcess.start(["agent", "--config", config], { netnsPath: pair.b.path });
  t.after(() => {
    if (agent.running) agent.kill("SIGKILL");
  });
  const starts = (): Rec[] => ndjsonRecords(agent.stdout).filter((r) => r.type === "start");
  await agent.waitFor(() => ndjsonRecords(agent.stdout).some((r) => r.type === "interval"), "a first interval");
  assert.deepEqual(Object.keys(starts()[0]!.collectors as Rec), ["network"]);

  write("{ exec: true }");
  agent.kill("SIGHUP");
  await agent.waitFor(() => starts().length === 2, "the second start record");
  assert.deepEqual(Object.keys(starts()[1]!.collectors as Rec), ["execs"]);
  assert.match(agent.stderr, /tsbpf agent: reloaded .*agent\.yaml\n/);
  const stops = ndjsonRecords(agent.stdout).filter((r) => r.type === "stop");
  assert.deepEqual(
    stops.map((r) => r.stopped_by),
    ["reload"],
  );

  write("{ exek: true }");
  agent.kill("SIGHUP");
  await agent.waitFor(() => /reload refused/.test(agent.stderr), "the refusal");
  assert.match(
    agent.stderr,
    /tsbpf agent: reload refused, the running configuration stays: .*agent\.yaml: collectors\.exek: unknown key \(known here: packets, flows, tcp, exec\)\n/,
  );
  await agent.waitFor(() => starts().length === 3, "the running configuration started again");
  assert.deepEqual(Object.keys(starts()[2]!.collectors as Rec), ["execs"]);
  agent.kill("SIGINT");
  assert.equal((await agent.exit()).code, 0, agent.stderr);
});

test("agent killed with SIGKILL leaves nothing attached or loaded", async (t) => {
  const pair = vethPairFor(t);
  const agent = ToolProcess.start(["agent"], { netnsPath: pair.b.path });
  t.after(() => {
    if (agent.running) agent.kill("SIGKILL");
  });
  const start = await agent.waitFor((p) => ndjsonRecords(p.stdout)[0], "the start record");
  const ids = Object.values(start.collectors as Record<string, Rec>).flatMap((c) => (c.program_ids as number[]) ?? []);
  assert.ok(ids.length >= 4, JSON.stringify(start.collectors));
  agent.kill("SIGKILL");
  await agent.exit();
  const alive = (): number[] =>
    ids.filter((id) => {
      const fd = reopenProgram(id);
      if (fd >= 0) closeFd(fd);
      return fd >= 0;
    });
  for (let i = 0; i < 500 && alive().length > 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(alive(), []);
  assert.equal(pair.within(pair.b, () => xdpInfo(pair.b.ifname)).attached, "none");
});

test("agent --check: a valid file says so; a broken one is one line naming file and key, exit 1", (t) => {
  const dir = workDir(t);
  const good = join(dir, "good.yaml");
  const bad = join(dir, "bad.json");
  writeFileSync(good, "collectors: { tcp: true }\n");
  writeFileSync(bad, '{"collectors": {"flows": {"top": -1}}}');
  const ok = ToolProcess.start(["agent", "--config", good, "--check"]);
  const broken = ToolProcess.start(["agent", "--config", bad, "--check"]);
  return Promise.all([ok.exit(), broken.exit()]).then(([a, b]) => {
    assert.equal(a.code, 0);
    assert.equal(ok.stdout, `${good}: valid\n`);
    assert.equal(b.code, 1);
    assert.equal(
      broken.stderr,
      `tsbpf agent: ${bad}: collectors.flows.top: expected a whole number from 1 to 1000, got -1\n`,
    );
  });
});

test("the packaged systemd unit verifies and runs the agent with a configuration it checks", (t) => {
  const unit = join(packagePath("systemd"), "tsbpf-agent.service");
  const text = readFileSync(unit, "utf8");
  const execStart = /^ExecStart=\/usr\/bin\/env tsbpf (agent .*)$/m.exec(text)?.[1];
  assert.equal(execStart, "agent --config /etc/tsbpf/agent.yaml");
  assert.match(text, /^ExecReload=\/bin\/kill -HUP \$MAINPID$/m);
  if (!commandExists("systemd-analyze")) {
    t.skip("systemd-analyze is not installed: the unit's syntax is not verified");
    return;
  }
  const r = spawnSync("systemd-analyze", ["verify", unit], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, "");
});
