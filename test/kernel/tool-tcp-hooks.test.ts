// `tsbpf tcp --hooks`: every family of hooks this kernel offers (fentry/fexit, kprobe/kretprobe,
// tracepoints) watches the same known TCP exchange at the same time, and each must count exactly
// the connections, accepts, failures and payload bytes of its two processes, and send the same
// closed-connection records. A family the kernel refuses must be a TcpHooksUnavailableError naming
// it, and `auto` must pick the best family that works. Runs in the kernel matrix (6.1 and 6.12
// under qemu have kprobes and trampolines; this host has neither).
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  TCP_HOOK_FAMILIES,
  TcpHooksUnavailableError,
  TcpTracker,
  type ClosedConnection,
  type TcpHookFamily,
} from "../../src/tools/tcp/tracker.js";
import { expectedCounters, tcpExchange, EXCHANGE } from "../helpers/tcp-exchange.js";
import { ndjsonRecords, runTool } from "../helpers/tool-process.js";

/** Opens each family; the refused ones with the kernel's reason. */
function openFamilies(): { trackers: Map<TcpHookFamily, TcpTracker>; refused: Map<TcpHookFamily, string> } {
  const trackers = new Map<TcpHookFamily, TcpTracker>();
  const refused = new Map<TcpHookFamily, string>();
  for (const family of TCP_HOOK_FAMILIES) {
    try {
      trackers.set(family, TcpTracker.open({ hooks: family }));
    } catch (err) {
      assert.ok(err instanceof TcpHooksUnavailableError, `${family}: ${String(err)}`);
      assert.match(err.message, new RegExp(`^this kernel does not support the ${family} hooks of tsbpf tcp: `));
      assert.equal(err.message.includes("\n"), false, "one line");
      refused.set(family, err.message);
    }
  }
  return { trackers, refused };
}

async function until<T>(what: string, probe: () => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const recordKey = (c: ClosedConnection): string =>
  `${c.pid} ${c.direction} ${c.established ? "established" : "failed"} ${c.saddr}:${c.sport} → ${c.daddr}:${c.dport} tx ${c.txBytes} rx ${c.rxBytes}`;

test("every hook family the kernel offers counts the same per-process connections and exact bytes of a known exchange", async (t) => {
  const { trackers, refused } = openFamilies();
  try {
    assert.ok(trackers.size > 0, `some family works: ${[...refused.values()].join("; ")}`);
    for (const [family, tracker] of trackers) {
      assert.equal(tracker.hooks, family);
      assert.ok(tracker.attached.length > 0);
    }
    const run = await tcpExchange();
    assert.deepEqual([run.got4, run.got6, run.refused], [EXCHANGE.server4, EXCHANGE.server6, "ECONNREFUSED"]);
    const want = expectedCounters();
    for (const [family, tracker] of trackers) {
      const counted = (pid: number) => {
        const e = tracker.processTotals().get(pid);
        if (!e) return undefined;
        const { connects, accepts, failures, sent, received } = e.counters;
        return { connects, accepts, failures, sent, received };
      };
      // The counters are final once both processes closed their sockets; allow the kernel a moment.
      const wantJson = JSON.stringify(want);
      const got = await until(`${family} counters`, () => {
        const g = { client: counted(run.clientPid), server: counted(run.serverPid) };
        return JSON.stringify(g) === wantJson ? g : undefined;
      }).catch(() => ({ client: counted(run.clientPid), server: counted(run.serverPid) }));
      assert.deepEqual(got, want, `${family}: per-process counters`);
    }
    // The closed-connection records: the same five connections, ports and bytes from each family.
    const records = new Map<TcpHookFamily, string[]>();
    for (const [family, tracker] of trackers) {
      const mine: ClosedConnection[] = [];
      await until(`${family} closed records`, () => {
        for (const c of tracker.drainClosed()) if (c.pid === run.clientPid || c.pid === run.serverPid) mine.push(c);
        return mine.length >= 5 ? true : undefined;
      }).catch(() => undefined);
      records.set(family, mine.map(recordKey).sort());
    }
    const reference = [...records.values()][0]!;
    assert.equal(reference.length, 5, reference.join("\n"));
    assert.ok(
      reference.some(
        (r) =>
          r.startsWith(`${run.clientPid} connect failed 127.0.0.1:`) && r.includes(`→ 127.0.0.1:${run.refusedPort} `),
      ),
      reference.join("\n"),
    );
    for (const [family, list] of records) assert.deepEqual(list, reference, `${family}: closed records`);
  } finally {
    for (const tracker of trackers.values()) tracker.close();
  }
  const counted = [...trackers.keys()];
  t.diagnostic(
    `kernel: ${counted.join(", ")} loaded, attached, same counts and records${refused.size ? `; refused: ${[...refused.keys()].join(", ")} (TcpHooksUnavailableError)` : ""}`,
  );
});

test("tsbpf tcp --hooks: auto picks the best family that works and says so; a refused family is one clear line", (t) => {
  const { trackers, refused } = openFamilies();
  for (const tracker of trackers.values()) tracker.close();
  const best = TCP_HOOK_FAMILIES.find((f) => trackers.has(f))!;
  // Each run of the CLI loads its programs again (slow under qemu): auto once, each family once.
  const auto = runTool(["tcp", "--count", "1", "--interval", "0.1"]);
  assert.equal(auto.code, 0, auto.stderr);
  const passedOver = TCP_HOOK_FAMILIES.slice(0, TCP_HOOK_FAMILIES.indexOf(best));
  const line = auto.stderr.split("\n").find((l) => l.startsWith("tsbpf tcp: hooks: "));
  assert.ok(line, auto.stderr);
  assert.match(line, new RegExp(`^tsbpf tcp: hooks: ${best} \\(.*auto: the best this kernel allows`));
  for (const family of passedOver) assert.match(line, new RegExp(`[;,] ${family}: no `), line);
  for (const family of TCP_HOOK_FAMILIES) {
    const r = runTool(["tcp", "--hooks", family, "--json", "--count", "1", "--interval", "0.1"]);
    if (trackers.has(family)) {
      assert.equal(r.code, 0, r.stderr);
      const s = ndjsonRecords(r.stdout)[0]!;
      assert.equal(s.hooks, family);
      assert.deepEqual(s.hooks_refused, []);
      assert.ok((s.attached as string[]).length > 0);
    } else {
      assert.notEqual(r.code, 0);
      const lines = r.stderr.trim().split("\n");
      assert.equal(lines.length, 1, r.stderr);
      assert.match(
        lines[0]!,
        new RegExp(`^tsbpf tcp: this kernel does not support the ${family} hooks of tsbpf tcp: `),
      );
      assert.equal(refused.has(family), true);
    }
  }
  t.diagnostic(`kernel: auto picked ${best}`);
});
