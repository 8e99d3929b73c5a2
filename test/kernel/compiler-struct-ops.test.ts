// struct_ops in kernel TypeScript: the Reno congestion control of examples/kernel compiled by
// tsbpf, registered with TCP, chosen by a real connection with setsockopt(TCP_CONGESTION) and
// seen running (its callbacks count their calls); the same through a link; the ELF object
// carrying it as clang would (.struct_ops sections) loaded by the object loader; and the
// marker's mistakes reported in tsbpf's words.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compileModule } from "../../src/compiler/index.js";
import { writeElf } from "../../src/compiler/elf.js";
import { generateVmlinux } from "../../src/compiler/gen.js";
import type { ArrayMap } from "../../src/maps/array.js";
import { KernelObject } from "../../src/loader/kernel-object.js";
import { loadObject } from "../../src/loader/index.js";
import { BpfObjectFile } from "../../src/object/index.js";
import { Link } from "../../src/links/link.js";
import { progInfo } from "../../src/sys/info.js";
import { kernelBtf } from "../../src/btf/vmlinux.js";
import { ProgType } from "../../src/uapi.js";
import { runIn, vethPairFor } from "../helpers/netns.js";
import { transferWithCongestion } from "../helpers/tcp-congestion.js";
import { compileErrors, KERNEL_IMPORT, virtualFile } from "../helpers/compiler-helpers.js";
import { CONGESTION_CONTROL, RenoCongestionControl, SOURCE } from "../../examples/kernel/tcp-congestion.js";

const available = (): string[] =>
  readFileSync("/proc/sys/net/ipv4/tcp_available_congestion_control", "utf8").trim().split(/\s+/);

/** Registered without a link, the example outlives a killed test run: remove one left behind (its map is "reno"). */
function unregisterStale(): void {
  if (available().includes(CONGESTION_CONTROL)) spawnSync("bpftool", ["struct_ops", "unregister", "name", "reno"]);
}

test("the Reno example: registered with TCP, chosen by a connection, its callbacks run and grow the window like the kernel's reno; unregistered on close", async (t) => {
  unregisterStale();
  const pair = vethPairFor(t);
  // A rate limit on loopback makes the sender wait on its window: congestion control then matters.
  runIn(pair.a, "tc", [
    "qdisc",
    "add",
    "dev",
    "lo",
    "root",
    "tbf",
    "rate",
    "400mbit",
    "burst",
    "256kb",
    "latency",
    "20ms",
  ]);
  assert.ok(!available().includes(CONGESTION_CONTROL));
  const cc = await RenoCongestionControl.register();
  try {
    assert.ok(available().includes(CONGESTION_CONTROL), "TCP lists it");
    const run = transferWithCongestion(pair.a.path, CONGESTION_CONTROL, 8 << 20);
    assert.equal(run.clientCongestion, CONGESTION_CONTROL, "getsockopt(TCP_CONGESTION)");
    const calls = cc.calls();
    assert.ok(calls.init >= 1n, `init ran (${calls.init})`);
    assert.ok(calls.congAvoid >= 1n, `cong_avoid ran (${calls.congAvoid})`);
    // TCP starts at 10 segments; only cong_avoid's writes to snd_cwnd make it bigger.
    const kernelReno = transferWithCongestion(pair.a.path, "reno", 8 << 20);
    t.diagnostic(`cwnd after 8 MiB: tsbpf_reno ${run.clientCwnd}, the kernel's reno ${kernelReno.clientCwnd}`);
    assert.ok(kernelReno.clientCwnd > 10, "the kernel's reno grew its window (the setup makes the window matter)");
    assert.ok(run.clientCwnd > 10, `tsbpf_reno grew its window (${run.clientCwnd} segments)`);
  } finally {
    cc.close();
  }
  assert.ok(!available().includes(CONGESTION_CONTROL), "unregistered");
});

test("callbacks load as STRUCT_OPS programs of the kernel's struct, one per method", async () => {
  using obj = KernelObject.load((await compileModule(SOURCE)).artifact);
  const structId = kernelBtf().findByName("tcp_congestion_ops", "struct")[0];
  assert.deepEqual(Object.keys(obj.programs).sort(), [
    "reno_cong_avoid",
    "reno_init",
    "reno_ssthresh",
    "reno_undo_cwnd",
  ]);
  for (const p of Object.values(obj.programs)) {
    const info = progInfo(p.fd);
    assert.equal(info.type, ProgType.STRUCT_OPS);
    assert.equal(info.attachBtfId, structId);
  }
});

test("{ link: true }: registered through a bpf_link, unregistered when it is closed", async (t) => {
  const pair = vethPairFor(t);
  const source = `import { structOps, ArrayMap, u64 } from "${KERNEL_IMPORT}";
export const seen = new ArrayMap({ value: u64, maxEntries: 1 });
export const cc = structOps("tcp_congestion_ops", {
  name: "tsbpf_ts_link",
  cong_avoid(sk, ack, acked) {
    const n = seen.lookup(0);
    if (n !== null) n.value += 1;
    if (sk.snd_cwnd < sk.snd_cwnd_clamp) sk.snd_cwnd += 1;
  },
  ssthresh(sk) { return sk.snd_cwnd > 4 ? sk.snd_cwnd >> 1 : 2; },
  undo_cwnd(sk) { return sk.snd_cwnd; },
}, { link: true });
`;
  const m = await compileModule(virtualFile(), { source });
  using obj = KernelObject.load(m.artifact);
  const link = obj.attachStructOps("cc");
  try {
    assert.ok(link instanceof Link);
    assert.ok(available().includes("tsbpf_ts_link"));
    assert.equal(transferWithCongestion(pair.a.path, "tsbpf_ts_link", 1 << 20).clientCongestion, "tsbpf_ts_link");
    assert.ok(((obj.maps.seen as ArrayMap<bigint>).get(0) ?? 0n) >= 1n, "cong_avoid ran");
  } finally {
    link.detach();
  }
  assert.ok(!available().includes("tsbpf_ts_link"));
});

test("the ELF object has clang's .struct_ops layout and registers through the object loader", async (t) => {
  unregisterStale();
  const pair = vethPairFor(t);
  const elf = writeElf(await compileModule(SOURCE));
  const file = BpfObjectFile.parse(elf, { name: "tcp_congestion" });
  assert.equal(file.structOps.length, 1);
  const def = file.structOps[0]!;
  assert.equal(def.typeName, "tcp_congestion_ops");
  assert.deepEqual(Object.fromEntries(def.members.filter((x) => x.program).map((x) => [x.name, x.program])), {
    init: "reno_init",
    cong_avoid: "reno_cong_avoid",
    ssthresh: "reno_ssthresh",
    undo_cwnd: "reno_undo_cwnd",
  });
  using obj = loadObject(file);
  using registration = obj.attachStructOps("reno");
  assert.ok(available().includes(CONGESTION_CONTROL));
  assert.equal(transferWithCongestion(pair.a.path, CONGESTION_CONTROL, 1 << 20).clientCongestion, CONGESTION_CONTROL);
  assert.ok(((obj.maps.calls as ArrayMap<bigint>).get(1) ?? 0n) >= 1n, "cong_avoid ran");
  void registration;
});

test("bpftool (libbpf) registers the ELF object tsbpf wrote", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-struct-ops-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  unregisterStale();
  const path = join(dir, "tcp_congestion.bpf.o");
  writeFileSync(path, writeElf(await compileModule(SOURCE)));
  const r = spawnSync("bpftool", ["struct_ops", "register", path], { encoding: "utf8" });
  try {
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout + r.stderr, /Registered tcp_congestion_ops reno/);
    assert.ok(available().includes(CONGESTION_CONTROL));
  } finally {
    spawnSync("bpftool", ["struct_ops", "unregister", "name", "reno"]);
  }
  assert.ok(!available().includes(CONGESTION_CONTROL));
});

test("structOps mistakes: one clear line each (TypeScript's own where the BTF types already say it)", async () => {
  const wrap = (members: string, struct = "tcp_congestion_ops") =>
    `import { structOps } from "${KERNEL_IMPORT}";\nexport const cc = structOps("${struct}", {\n${members}\n});\n`;
  assert.match(
    (await compileErrors(wrap(`name: "x", undo_cwnd(sk) { return 1; }, bogus(sk) { return 0; }`))).join("\n"),
    /'bogus' does not exist in type/,
  );
  assert.match((await compileErrors(wrap(`undo_cwnd(sk) { return 1; }`))).join("\n"), /'name' is missing/);
  assert.match(
    (await compileErrors(wrap(`name: "a_name_far_too_long_for_it", undo_cwnd(sk) { return 1; }`))).join("\n"),
    /name takes 1 to 15 bytes \(it is a char\[16\] with its NUL\)/,
  );
  assert.match(
    (await compileErrors(wrap(`name: "x", undo_cwnd(sk: number) { return 1; }`, "no_such_ops"))).join("\n"),
    /the kernel's BTF has no struct no_such_ops/,
  );
  assert.match(
    (await compileErrors(wrap(`name: "x", undo_cwnd(sk: number) { return 1; }`, "sock"))).join("\n"),
    /the kernel cannot take a sock from BPF \(its BTF has no struct bpf_struct_ops_sock\)/,
  );
});

test("gen-kernel declares a struct_ops type's callbacks (the socket as tcp_sock) and data for editors", () => {
  const text = generateVmlinux(
    kernelBtf(),
    { events: [], structs: [], structOps: ["tcp_congestion_ops"] },
    "tsbpf/kernel",
  );
  assert.match(text, /interface StructOpsTypes \{\n\s+tcp_congestion_ops: \{/);
  assert.match(text, /cong_avoid\?\(sk: tcp_sock, arg1: number, arg2: number\): void;/);
  assert.match(text, /ssthresh\?\(sk: tcp_sock\): number;/);
  assert.match(text, /\n\s+name: string;/);
  assert.doesNotMatch(text, /\bowner\b/, "members BPF cannot set are left out");
});
