// Helpers eBPF authors reach for, each compiled from kernel TypeScript, loaded and run in the kernel:
// printk to the trace buffer, checksum helpers, redirect maps, packet head/tail/meta moves.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { testRun } from "../../src/programs/test-run.js";
import type { KernelObject } from "../../src/loader/kernel-object.js";
import { frame, ipv4, ports, KERNEL_IMPORT, loadSource } from "../helpers/compiler-helpers.js";

const K = KERNEL_IMPORT;
const TRACE = "/sys/kernel/tracing/trace";

function program(obj: KernelObject): { fd: number } {
  return Object.values(obj.programs)[0]!;
}

test("printk and bpfPrintk write formatted lines to the kernel trace buffer", async () => {
  const tag = `tsbpf${randomBytes(4).toString("hex")}`;
  using obj = await loadSource(`
import { xdp, printk, bpfPrintk, hex, ipv4, str, bytes, zeroed, i32, u32, XDP_PASS } from "${K}";
export const p = xdp((ctx) => {
  const neg: i32 = -5;
  const name = zeroed(bytes(8));
  name[0] = 0x6f; name[1] = 0x6b;
  printk(\`${tag} three \${ctx.len} \${neg} \${hex(255)} 100%\`);
  bpfPrintk(\`${tag} many \${ipv4(0xc0a80001)} \${str(name)} 1 \${2} \${3} \${4} \${5}\`);
  return XDP_PASS;
});`);
  assert.equal(testRun(program(obj), { data: frame(0x0800, [], 60) }).retval, 2);
  const trace = readFileSync(TRACE, "utf8");
  assert.match(trace, new RegExp(`${tag} three 60 -5 ff 100%`));
  assert.match(trace, new RegExp(`${tag} many 192\\.168\\.0\\.1 ok 1 2 3 4 5`));
});
