// The agent's configuration file, parsed and validated without root: every collector's settings,
// YAML and JSON alike, defaults, and one clear line naming the file and the key for each mistake.
// The size-rotated NDJSON file is checked here too (it needs no kernel).
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AgentConfigError, agentConfigFrom, parseAgentConfig } from "../../src/tools/agent/config.js";
import { RotatingFile } from "../../src/tools/agent/rotating-file.js";

test("agent config: a YAML file sets every collector, the interval, the endpoint and a rotated events file", async () => {
  const config = await parseAgentConfig(
    [
      "interfaces: [eth0, eth1]",
      "interval: 500ms",
      "metrics: 0.0.0.0:9500",
      "web: 8080",
      "events:",
      "  output: /var/log/tsbpf/events.ndjson",
      "  max_size: 16MiB",
      "  keep: 3",
      "collectors:",
      "  packets: true",
      "  flows: { top: 25 }",
      "  tcp: { enabled: false }",
      "  exec: { keep: 50, scope: netns }",
    ].join("\n"),
    "agent.yaml",
  );
  assert.deepEqual(config, {
    interfaces: ["eth0", "eth1"],
    intervalSeconds: 0.5,
    metrics: { host: "0.0.0.0", port: 9500 },
    web: { host: "127.0.0.1", port: 8080 },
    events: { kind: "file", path: "/var/log/tsbpf/events.ndjson", maxBytes: 16 * 1024 * 1024, keep: 3 },
    collectors: { packets: true, flows: { top: 25 }, tcp: false, exec: { keep: 50, scope: "netns" } },
  });
});

test("agent config: no file means every collector, 5 s, 127.0.0.1:9435 and records on stdout; JSON is accepted", async () => {
  assert.deepEqual(agentConfigFrom({}, "defaults"), {
    interfaces: [],
    intervalSeconds: 5,
    metrics: { host: "127.0.0.1", port: 9435 },
    web: undefined,
    events: { kind: "stdout" },
    collectors: { packets: true, flows: { top: 10 }, tcp: true, exec: { keep: 20, scope: "machine" } },
  });
  const json = await parseAgentConfig('{"collectors": {"tcp": true}, "metrics": false, "events": "-"}', "a.json");
  assert.deepEqual(json.collectors, { packets: false, flows: undefined, tcp: true, exec: undefined });
  assert.equal(json.metrics, undefined);
  // `events: false` (as the documentation's example says) is `events: { output: false }`.
  assert.deepEqual((await parseAgentConfig("events: false", "a.yaml")).events, { kind: "none" });
});

const MISTAKES: [text: string, message: string][] = [
  ["collectors:\n  flow: true", "a.yaml: collectors.flow: unknown key (known here: packets, flows, tcp, exec)"],
  ["collectors: {exec: {scope: host}}", 'a.yaml: collectors.exec.scope: expected machine or netns, got "host"'],
  ["interval: fast", 'a.yaml: interval: expected a duration from 100ms to 60m (e.g. 5s), got "fast"'],
  ["collectors: {flows: {top: 0}}", "a.yaml: collectors.flows.top: expected a whole number from 1 to 1000, got 0"],
  [
    "metrics: 127.0.0.1:99999",
    'a.yaml: metrics: invalid address "127.0.0.1:99999": the port must be a number from 0 to 65535',
  ],
  ["events: {output: '-', keep: 3}", "a.yaml: events: max_size and keep apply to a file output only"],
  [
    "events: {output: /x, max_size: 10}",
    "a.yaml: events.max_size: expected a size of at least 4096 bytes (e.g. 64MiB), got 10",
  ],
  [
    "collectors: {packets: false, flows: false, tcp: false, exec: false}",
    "a.yaml: collectors: every collector is switched off: switch on at least one of packets, flows, tcp, exec",
  ],
  ["interfaces: [eth0, '']", 'a.yaml: interfaces[1]: expected a non-empty string, got ""'],
  [
    "- just\n- a list",
    "a.yaml: expected a mapping of interfaces, interval, metrics, web, events, collectors, got a list",
  ],
  ["a: [1, 2\n", "a.yaml:2:1: Flow sequence in block collection must be sufficiently indented and end with a ]"],
  ["interval: 1s\ninterval: 2s", "a.yaml:2:1: Map keys must be unique"],
];

for (const [text, message] of MISTAKES) {
  test(`agent config error: ${message.split(": ").slice(1).join(": ")}`, async () => {
    await assert.rejects(parseAgentConfig(text, "a.yaml"), (err: unknown) => {
      assert.ok(err instanceof AgentConfigError);
      assert.equal(err.message, message);
      return true;
    });
  });
}

test("agent events file: rotates before a line would pass the size, keeps N old files, never splits a line", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-rotate-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, "events.ndjson");
  // Lines of one length (n in a fixed-width field), so each file holds the same number of them.
  const line = (n: number): string => `${JSON.stringify({ n, pad: "x".repeat(80 - String(n).length) })}\n`;
  const perFile = Math.floor(4096 / line(0).length);
  {
    using file = new RotatingFile(path, 4096, 2);
    for (let n = 0; n < perFile * 4 + 1; n++) file.write(line(n));
    assert.equal(file.rotations, 4);
  }
  assert.deepEqual(readdirSync(dir).sort(), ["events.ndjson", "events.ndjson.1", "events.ndjson.2"]);
  const numbers = (name: string): number[] =>
    readFileSync(join(dir, name), "utf8")
      .trimEnd()
      .split("\n")
      .map((l) => (JSON.parse(l) as { n: number }).n);
  for (const name of ["events.ndjson.1", "events.ndjson.2"]) {
    assert.ok(readFileSync(join(dir, name)).length <= 4096);
    assert.equal(numbers(name).length, perFile);
  }
  // The newest records are in FILE, the ones before in FILE.1, then FILE.2; older ones are gone.
  assert.deepEqual(numbers("events.ndjson"), [perFile * 4]);
  assert.equal(numbers("events.ndjson.1").at(-1), perFile * 4 - 1);
  assert.equal(numbers("events.ndjson.2")[0], perFile * 2);
});
