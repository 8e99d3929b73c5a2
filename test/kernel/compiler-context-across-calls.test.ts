// The context stays usable after helper calls: a value live into a block whose first instruction
// is a call must sit in a callee-saved register, or the next use reads a clobbered r1.
import { test } from "node:test";
import assert from "node:assert/strict";
import { testRun } from "../../src/programs/test-run.js";
import { KernelObject } from "../../src/loader/kernel-object.js";
import { frame, ipv4, ports, KERNEL_IMPORT, loadSource } from "../helpers/compiler-helpers.js";

const K = KERNEL_IMPORT;

function run(obj: KernelObject, data: Buffer): number {
  return testRun(Object.values(obj.programs)[0]!, { data }).retval;
}

test("a socket filter reads a context field, then ctx.load twice, and loads", async () => {
  using obj = await loadSource(`
import { socketFilter, u8, ETH_P_IP } from "${K}";
export const p = socketFilter((ctx) => {
  if (ctx.protocol === ETH_P_IP) {
    const a = ctx.load(u8, 9); if (a === null) return 0;
    const b = ctx.load(u8, 20); if (b === null) return 0;
    return b;
  }
  return 0;
});`);
  // test_run starts a socket filter's packet at the network header: offset 20 is the first TCP byte.
  assert.equal(run(obj, frame(0x0800, ipv4(6, "10.0.0.1", "10.0.0.2", ports(0xab12, 80)))), 0xab);
  assert.equal(run(obj, frame(0x86dd, [])), 0);
});

for (const [kind, field] of [
  ["xdp", "rxQueueIndex"],
  ["tc", "mark"],
] as const) {
  test(`${kind}: the context is read again after a helper call that starts a block`, async () => {
    using obj = await loadSource(`
import { ${kind}, ktimeGetNs, u8 } from "${K}";
export const p = ${kind}((ctx) => {
  if (ctx.len > 50) {
    const t = ktimeGetNs();
    if (t === 0) return 0;
    const b = ctx.load(u8, 23);
    if (b === null) return 0;
    return b + ctx.${field};
  }
  return 1;
});`);
    // test_run leaves both the receive queue and the mark at 0: the result is the IP protocol.
    assert.equal(run(obj, frame(0x0800, ipv4(17, "10.0.0.1", "10.0.0.2", ports(0x1234, 53)), 64)), 17);
    assert.equal(run(obj, frame(0x0800, ipv4(17, "10.0.0.1", "10.0.0.2"), 40)), 1);
  });
}

test("a program whose subprogram takes the context types it as the kernel's context struct: no UNKNOWN reference in the log", async () => {
  using obj = await loadSource(
    `
import { socketFilter, SocketFilterContext, u32 } from "${K}";
function lenOf(ctx: SocketFilterContext): u32 { return ctx.len; }
export const p = socketFilter((ctx) => lenOf(ctx) + 1);
`,
    { logLevel: 2, keepLog: true },
  );
  const log = Object.values(obj.programs)[0]!.verifierLog ?? "";
  assert.match(log, /func#1/, "the subprogram is verified");
  assert.doesNotMatch(log, /reference type\('UNKNOWN '\)/);
});
