// The compiler snapshot's entry script, bundled into one CommonJS file (dist/bin/compiler-snapshot.cjs):
// a snapshot is built from a single script that may require Node's built-in modules only. Run by
// `node --build-snapshot`, it loads TypeScript and type-checks a module importing tsbpf/kernel,
// leaving the compiler and the parsed declarations in the heap (host.ts, holdForSnapshot). Run
// plainly (by buildSnapshotInBackground), it is the detached process that builds the snapshot.
import { readFileSync } from "node:fs";
import Module from "node:module";
import { dirname, join } from "node:path";
import { startupSnapshot } from "node:v8";
import { runInThisContext } from "node:vm";
import { holdForSnapshot, type TypeScript } from "./host.js";
import { BUILD_ENV, buildSnapshot, type SnapshotPlan } from "./snapshot.js";

/** Names a little of everything the declarations offer, so that checking it visits their common paths. */
function warmUpSource(kernel: string): string {
  const from = JSON.stringify(kernel.replace(/\.d\.ts$/, ".js"));
  return `import { xdp, PerCpuHashMap, RingBuf, EthHdr, Ipv4Hdr, struct, u8, u16, u32, u64, XDP_PASS } from ${from};
class Counter extends struct({ packets: u64, bytes: u64 }) {}
export const counters = new PerCpuHashMap({ key: u16, value: Counter, maxEntries: 16 });
export const events = new RingBuf({ size: 4096 });
export const p = xdp((ctx) => {
  const eth = ctx.load(EthHdr, 0);
  if (eth === null) return XDP_PASS;
  const ip = ctx.load(Ipv4Hdr, 14);
  const protocol: u8 = ip === null ? 0 : ip.protocol;
  const len: u32 = ctx.len;
  const c = counters.lookup(eth.etherType);
  if (c !== null) { c.packets += 1; c.bytes += len + protocol; }
  else counters.update(eth.etherType, { packets: 1, bytes: len });
  return XDP_PASS;
});
`;
}

function loadTypeScriptFrom(path: string): TypeScript {
  // The builder's require knows built-in modules only, which is all the compiler requires.
  const wrapper = runInThisContext(Module.wrap(readFileSync(path, "utf8")), { filename: path }) as (
    ...args: unknown[]
  ) => void;
  const module = { exports: {} as unknown };
  wrapper.call(module.exports, module.exports, require, module, path, dirname(path));
  return module.exports as TypeScript;
}

const plan = JSON.parse(process.env[BUILD_ENV] ?? "null") as SnapshotPlan | null;
if (plan && startupSnapshot.isBuildingSnapshot()) {
  const fileName = join(dirname(plan.kernel), "..", "..", "tsbpf-snapshot-warm-up.bpf.ts");
  holdForSnapshot(loadTypeScriptFrom(plan.typescript), { fileName, text: warmUpSource(plan.kernel) });
} else if (plan) {
  process.exitCode = buildSnapshot(plan) ? 0 : 1;
}
