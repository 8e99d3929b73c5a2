// examples/kernel/tcp-monitor: the kprobe TCP monitor in kernel TypeScript. Where the kernel has
// kprobes (Debian's 6.1 and 6.12 under qemu, `npm run test:kernels`), a known exchange between two
// processes must show up exactly: connects per IP version, accepts, bytes sent and received,
// connections closed. Where it has none (detected from the kernel's kprobe PMU and kprobe_events,
// as tsbpf's kprobe attach does), the monitor must refuse with NotSupportedError and the example
// program must say so in one line.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { NotSupportedError } from "../../src/sys/errors.js";
import { kprobeSupport } from "../../src/programs/kprobe.js";
import { listPrograms } from "../../src/introspect.js";
import { TcpMonitor, table, type ProcessTcp } from "../../examples/kernel/tcp-monitor.js";
import { EXCHANGE, tcpExchange } from "../helpers/tcp-exchange.js";

const hasKprobes = (() => {
  const s = kprobeSupport();
  return s.pmuType !== undefined || s.kprobeEvents !== undefined;
})();

const EXAMPLE = fileURLToPath(new URL("../../examples/kernel/tcp-monitor.js", import.meta.url));

test("the kprobe TCP monitor counts a known exchange exactly per process, or says the kernel has no kprobes", async (t) => {
  if (!hasKprobes) {
    // Programs of this process's own making, by the example's program names (others may load programs meanwhile).
    const mine = () =>
      listPrograms().filter((p) => p.name === "connect4Return" || p.name === "acceptReturn" || p.name === "sendReturn");
    const before = mine().length;
    assert.throws(
      () => TcpMonitor.open(),
      (err: unknown) => err instanceof NotSupportedError && /kprobes/.test(err.message),
    );
    assert.equal(mine().length, before, "nothing stays loaded after the refusal");
    const r = spawnSync(process.execPath, [EXAMPLE], { encoding: "utf8", timeout: 30_000 });
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stdout, "");
    assert.match(r.stderr, /^tcp-monitor: this kernel does not support kprobes: [^\n]*tracepoint[^\n]*\n$/);
    t.diagnostic("kernel: loads; attach refused (NotSupportedError: no kprobes)");
    return;
  }
  using monitor = TcpMonitor.open();
  const run = await tcpExchange();
  const { client4, server4, client6, server6 } = EXCHANGE;
  const row = (pid: number): ProcessTcp | undefined => monitor.processes().find((p) => p.pid === pid);
  assert.deepEqual(row(run.clientPid), {
    pid: run.clientPid,
    connects4: 2, // the IPv4 exchange and the refused connect
    connects6: 1,
    accepts: 0,
    sent: client4 + client6,
    received: server4 + server6,
    closed: 3,
  });
  assert.deepEqual(row(run.serverPid), {
    pid: run.serverPid,
    connects4: 0,
    connects6: 0,
    accepts: 2,
    sent: server4 + server6,
    received: client4 + client6,
    closed: 2,
  });
  assert.match(
    table(monitor.processes()),
    new RegExp(`^ *${run.clientPid} +2 +1 +0 +${client4 + client6} +${server4 + server6} +3$`, "m"),
  );
  t.diagnostic("kernel: loads, attaches, exact per-process counts (kprobe, kretprobe)");
});
