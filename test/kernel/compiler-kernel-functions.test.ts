// kprobe, kretprobe, kprobe.multi, fentry, fexit, fmod_ret and lsm programs in kernel TypeScript:
// the sections and types libbpf reads, argument reads that match clang's BPF_KPROBE / BPF_PROG,
// and tsbpf's own error where this kernel forbids the hook (kprobes absent; trampolines EPERM).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeElf } from "../../src/compiler/elf.js";
import { kprobeSupport, type KprobeProgram } from "../../src/programs/kprobe.js";
import type { FentryProgram } from "../../src/programs/fentry.js";
import type { Program } from "../../src/programs/program.js";
import { attachTracing } from "../../src/programs/tp-btf.js";
import { NotSupportedError } from "../../src/sys/errors.js";
import { KERNEL_IMPORT as K, compileSource, loadSource } from "../helpers/compiler-helpers.js";
import { tempDir } from "../helpers/tracing-helpers.js";

const KPROBES = `
import { kprobe, kretprobe, kprobeMulti, HashMap, u32, u64 } from "${K}";
export const seen = new HashMap({ key: u32, value: u64, maxEntries: 64 });
export const onConnect = kprobe("tcp_v4_connect", (ctx, sk, uaddr, addrLen) => sk.__sk_common.skc_family + addrLen);
export const onConnectRet = kretprobe("tcp_v4_connect", (ctx, ret) => { seen.increment(ret); return 0; });
export const onAny = kprobeMulti("tcp_v*_connect", (ctx) => { seen.increment(1); return 0; });`;

const TRAMPOLINES = `
import { fentry, fexit, fmodRet, lsm } from "${K}";
export const onSend = fentry("tcp_sendmsg", (ctx, sk, msg, size) => sk.__sk_common.skc_family + size);
export const onSendRet = fexit("tcp_sendmsg", (ctx, sk, msg, size, ret) => ret + ctx.ret);
export const modRet = fmodRet("security_file_open", (ctx, file, ret) => 0);
export const onOpen = lsm("file_open", (ctx, file, ret) => (ret !== 0 ? ret : 0));`;

/** `llvm-objdump -d` of one section. */
function disassemble(object: string, section: string): string {
  const r = spawnSync("llvm-objdump", ["-d", "-j", section, object], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}
const ctxLoads = (text: string) => [...text.matchAll(/= \*\(u64 \*\)\(r1 \+ (\d+)\)/g)].map((m) => Number(m[1])).sort();

test("kprobe sections, program types and pt_regs reads match clang's BPF_KPROBE", async () => {
  using dir = tempDir();
  const m = await compileSource(KPROBES);
  const byName = Object.fromEntries(m.artifact.programs.map((p) => [p.name, p]));
  assert.equal(byName.onConnect!.section, "kprobe/tcp_v4_connect");
  assert.equal(byName.onConnectRet!.section, "kretprobe/tcp_v4_connect");
  assert.equal(byName.onAny!.section, "kprobe.multi/tcp_v*_connect");
  assert.equal(byName.onAny!.expectedAttachType, 42); // BPF_TRACE_KPROBE_MULTI
  const object = join(dir.path, "kprobes.o");
  writeFileSync(object, writeElf(m));
  // The same program in C, as libbpf users write it.
  writeFileSync(
    join(dir.path, "twin.bpf.c"),
    `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
SEC("kprobe/tcp_v4_connect")
int BPF_KPROBE(on_connect, struct sock *sk, struct sockaddr *uaddr, int addr_len) {
  return BPF_CORE_READ(sk, __sk_common.skc_family) + addr_len;
}
char LICENSE[] SEC("license") = "GPL";`,
  );
  const h = spawnSync("sh", ["-c", `bpftool btf dump file /sys/kernel/btf/vmlinux format c > ${dir.path}/vmlinux.h`]);
  assert.equal(h.status, 0);
  const arch = process.arch === "arm64" ? "arm64" : "x86";
  const c = spawnSync(
    "clang",
    ["-O2", "-g", "-target", "bpf", `-D__TARGET_ARCH_${arch}`, "-c", "twin.bpf.c", "-o", "twin.o"],
    {
      cwd: dir.path,
      encoding: "utf8",
    },
  );
  assert.equal(c.status, 0, c.stderr);
  const ours = disassemble(object, "kprobe/tcp_v4_connect");
  const theirs = disassemble(join(dir.path, "twin.o"), "kprobe/tcp_v4_connect");
  // Same registers of pt_regs (x86-64: di at 112, dx at 96), same 2-byte probe read of skc_family.
  assert.deepEqual(ctxLoads(ours), ctxLoads(theirs));
  for (const text of [ours, theirs]) {
    assert.match(text, /call 113/); // bpf_probe_read_kernel
    assert.match(text, /r2 = 2\b/);
  }
  // bpftool (libbpf) loads every one of them: the sections name the types it derives.
  const pin = `/sys/fs/bpf/tsbpf-kprobes-${process.pid}`;
  try {
    const r = spawnSync("bpftool", ["prog", "loadall", object, pin], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const show = spawnSync("bpftool", ["-j", "prog", "show", "pinned", `${pin}/onConnect`], { encoding: "utf8" });
    assert.equal(JSON.parse(show.stdout).type, "kprobe");
  } finally {
    spawnSync("rm", ["-rf", pin]);
  }
});

test("trampoline and LSM programs: sections, direct BTF argument reads, and NotSupportedError here", async () => {
  using dir = tempDir();
  const m = await compileSource(TRAMPOLINES);
  const sections = m.artifact.programs.map((p) => [p.section, p.progType, p.expectedAttachType]);
  assert.deepEqual(sections, [
    ["fentry/tcp_sendmsg", 26, 24],
    ["fexit/tcp_sendmsg", 26, 25],
    ["fmod_ret/security_file_open", 26, 26],
    ["lsm/file_open", 29, 27],
  ]);
  const object = join(dir.path, "trampolines.o");
  writeFileSync(object, writeElf(m));
  // fentry: sk is slot 0 and size slot 2 of the argument array, skc_family read directly (no probe read).
  const entry = disassemble(object, "fentry/tcp_sendmsg");
  assert.deepEqual(ctxLoads(entry), [0, 16]);
  assert.doesNotMatch(entry, /call 113/);
  assert.match(entry, /= \*\(u16 \*\)\(r\d \+ 16\)/);
  // fexit: the return value is the slot after the three arguments, as a parameter and as ctx.ret.
  assert.deepEqual(ctxLoads(disassemble(object, "fexit/tcp_sendmsg")), [24, 24]);
  // lsm: file_open has one argument; the previous verdict is slot 1.
  assert.deepEqual(ctxLoads(disassemble(object, "lsm/file_open")), [8]);
  try {
    using obj = await loadSource(TRAMPOLINES);
    assert.ok(obj.programs.onSend, "loaded: a kernel that allows trampolines");
  } catch (err) {
    assert.ok(err instanceof NotSupportedError, String(err));
    assert.match((err as Error).message, /fentry programs/);
  }
});

test("kernel-function mistakes are reported in tsbpf's words", async () => {
  const { compileErrors } = await import("../helpers/compiler-helpers.js");
  const missing = await compileErrors(`
import { fentry } from "${K}";
export const p = fentry("no_such_function_here", (ctx) => 0);`);
  assert.ok(
    missing.some((x) => x.includes("no function no_such_function_here")),
    missing.join("\n"),
  );
  const tooMany = await compileErrors(`
import { kprobe } from "${K}";
// @ts-expect-error: tcp_close has two arguments
export const p = kprobe("tcp_close", (ctx, sk, timeout, extra) => 0);`);
  assert.ok(
    tooMany.some((x) => x.includes("tcp_close has 2 argument(s)")),
    tooMany.join("\n"),
  );
  const hook = await compileErrors(`
import { lsm } from "${K}";
export const p = lsm("no_such_hook", (ctx) => 0);`);
  assert.ok(
    hook.some((x) => x.includes("no LSM hook no_such_hook")),
    hook.join("\n"),
  );
});

test("examples/kernel/tcp-connect-probes compiles to the sections a libbpf user would write", async () => {
  const { artifactFor } = await import("../../src/compiler/index.js");
  const { repoRoot } = await import("../helpers/compiler-helpers.js");
  const artifact = await artifactFor(join(repoRoot, "examples", "kernel", "tcp-connect-probes.bpf.ts"));
  assert.deepEqual(
    artifact.programs.map((p) => [p.name, p.section]),
    [
      ["connectEntry", "kprobe/tcp_v4_connect"],
      ["connectExit", "kretprobe/tcp_v4_connect"],
      ["sendEntry", "fentry/tcp_sendmsg"],
    ],
  );
});

// Loading, attaching and events: what the running kernel allows is detected at run time, and
// each outcome is asserted — real counted events where the hook works (Debian 6.1/6.12 under
// qemu, see `npm run test:kernels`), tsbpf's NotSupportedError where the kernel forbids it.
const hasKprobes = (() => {
  const s = kprobeSupport();
  return s.pmuType !== undefined || s.kprobeEvents !== undefined;
})();

type Counts = { get(key: number): bigint | undefined };
const count = (map: unknown, key: number): bigint => (map as Counts).get(key) ?? 0n;

/** n TCP connections to a closed port of 127.0.0.1: n calls of tcp_v4_connect from this process. */
async function connectTimes(n: number): Promise<void> {
  for (let i = 0; i < n; i++)
    await new Promise<void>((resolve) => {
      const s = connect({ host: "127.0.0.1", port: 1 });
      s.on("error", () => resolve());
      s.on("connect", () => {
        s.destroy();
        resolve();
      });
    });
}

const KPROBE_EVENTS = `
import { kprobe, kretprobe, kprobeMulti, HashMap, u32, u64 } from "${K}";
export const hits = new HashMap({ key: u32, value: u64, maxEntries: 8 });
// Keyed by the third argument: sizeof(struct sockaddr_in) = 16 when the argument is read right.
export const onConnect = kprobe("tcp_v4_connect", (ctx, sk, uaddr, addrLen) => { hits.increment(addrLen as u32); return 0; });
export const onConnectRet = kretprobe("tcp_v4_connect", (ctx, ret) => { hits.increment(1); return 0; });
export const onMulti = kprobeMulti("tcp_v4_connect", (ctx) => { hits.increment(2); return 0; });`;

test("kprobe and kretprobe markers load, attach and count tcp_v4_connect calls where the kernel has kprobes", async (t) => {
  using obj = await loadSource(KPROBE_EVENTS);
  const entry = obj.programs.onConnect as KprobeProgram;
  const exit = obj.programs.onConnectRet as KprobeProgram;
  if (!hasKprobes) {
    for (const p of [entry, exit])
      assert.throws(
        () => p.attach("tcp_v4_connect"),
        (err: unknown) => err instanceof NotSupportedError && /kprobe/i.test(String(err)),
      );
    t.diagnostic("kernel: loads; attach refused (NotSupportedError: no kprobes)");
    return;
  }
  const links = [entry.attach("tcp_v4_connect"), exit.attach("tcp_v4_connect")];
  try {
    await connectTimes(5);
  } finally {
    for (const l of links) l.detach();
  }
  assert.ok(count(obj.maps.hits, 16) >= 5n, `kprobe with addr_len 16: ${count(obj.maps.hits, 16)}`);
  assert.ok(count(obj.maps.hits, 1) >= 5n, `kretprobe: ${count(obj.maps.hits, 1)}`);
  const after = count(obj.maps.hits, 16);
  await connectTimes(2);
  assert.equal(count(obj.maps.hits, 16), after, "no hits after detach");
  t.diagnostic("kernel: loads, attaches, events counted (kprobe argument read, kretprobe)");
});

test("a kprobe.multi marker counts calls where the kernel has kprobe_multi links, or NotSupportedError says why", async (t) => {
  using obj = await loadSource(KPROBE_EVENTS);
  const multi = obj.programs.onMulti as KprobeProgram;
  let link;
  try {
    link = multi.attachMulti(["tcp_v4_connect"]);
  } catch (err) {
    assert.ok(err instanceof NotSupportedError, String(err));
    assert.match((err as Error).message, /kprobe/);
    const why = /CONFIG_FPROBE/.test((err as Error).message) ? "kprobe_multi needs CONFIG_FPROBE" : "no kprobes";
    t.diagnostic(`kernel: loads; attach refused (NotSupportedError: ${why})`);
    return;
  }
  try {
    await connectTimes(5);
  } finally {
    link.detach();
  }
  assert.ok(count(obj.maps.hits, 2) >= 5n, `kprobe.multi: ${count(obj.maps.hits, 2)}`);
  t.diagnostic("kernel: loads, attaches, events counted");
});

const TRAMPOLINE_EVENTS = `
import { fentry, fexit, fmodRet, HashMap, u32, u64 } from "${K}";
export const hits = new HashMap({ key: u32, value: u64, maxEntries: 8 });
export const onConnect = fentry("tcp_v4_connect", (ctx, sk, uaddr, addrLen) => { hits.increment(addrLen as u32); return 0; });
export const onConnectRet = fexit("tcp_v4_connect", (ctx, sk, uaddr, addrLen, ret) => { hits.increment(1); return 0; });
export const modOpen = fmodRet("security_file_open", (ctx, file, ret) => { hits.increment(2); return 0; });`;

test("fentry, fexit and fmod_ret markers load, attach and count calls, or the kernel's refusal is NotSupportedError", async (t) => {
  let obj;
  try {
    obj = await loadSource(TRAMPOLINE_EVENTS);
  } catch (err) {
    assert.ok(err instanceof NotSupportedError, String(err));
    assert.match((err as Error).message, /fentry programs/);
    t.diagnostic("kernel: load refused (NotSupportedError)");
    return;
  }
  using _obj = obj;
  const links = ["onConnect", "onConnectRet", "modOpen"].map((n) => (obj.programs[n] as FentryProgram).attach());
  try {
    await connectTimes(5);
    for (let i = 0; i < 5; i++) readFileSync("/proc/self/stat");
  } finally {
    for (const l of links) l.detach();
  }
  assert.ok(count(obj.maps.hits, 16) >= 5n, `fentry with addr_len 16: ${count(obj.maps.hits, 16)}`);
  assert.ok(count(obj.maps.hits, 1) >= 5n, `fexit: ${count(obj.maps.hits, 1)}`);
  assert.ok(count(obj.maps.hits, 2) >= 5n, `fmod_ret on security_file_open: ${count(obj.maps.hits, 2)}`);
  t.diagnostic("kernel: loads, attaches, events counted (fentry argument read, fexit, fmod_ret)");
});

const LSM_EVENTS = `
import { lsm, HashMap, u32, u64 } from "${K}";
export const hits = new HashMap({ key: u32, value: u64, maxEntries: 8 });
export const onOpen = lsm("file_open", (ctx, file, ret) => { hits.increment(0); return ret; });`;

/** Whether BPF LSM programs run here: "bpf" in the kernel's active LSM list (the lsm= boot option). */
function bpfLsmActive(): boolean {
  const list = "/sys/kernel/security/lsm";
  return existsSync(list) && readFileSync(list, "utf8").split(",").includes("bpf");
}

test("an lsm marker loads, attaches and sees file opens where the bpf LSM is active, or the refusal is NotSupportedError", async (t) => {
  let obj;
  try {
    obj = await loadSource(LSM_EVENTS);
  } catch (err) {
    assert.ok(err instanceof NotSupportedError, String(err));
    assert.match((err as Error).message, /lsm/);
    t.diagnostic("kernel: load refused (NotSupportedError)");
    return;
  }
  using _obj = obj;
  const BPF_LSM_MAC = 27;
  const link = attachTracing(obj.programs.onOpen as Program, BPF_LSM_MAC, "lsm file_open");
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-lsm-"));
  try {
    writeFileSync(join(dir, "f"), "x");
    for (let i = 0; i < 5; i++)
      assert.equal(readFileSync(join(dir, "f"), "utf8"), "x", "the verdict lets opens through");
  } finally {
    link.detach();
    rmSync(dir, { recursive: true, force: true });
  }
  if (bpfLsmActive()) {
    assert.ok(count(obj.maps.hits, 0) >= 5n, `file_open: ${count(obj.maps.hits, 0)}`);
    t.diagnostic("kernel: loads, attaches, events counted, verdict allows");
  } else {
    assert.equal(count(obj.maps.hits, 0), 0n, "the bpf LSM is not in lsm=: attached programs never run");
    t.diagnostic("kernel: loads, attaches; no events (bpf not in the boot's lsm= list)");
  }
});
