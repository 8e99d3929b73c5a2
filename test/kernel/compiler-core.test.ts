// CO-RE for compiled programs: kernel struct fields read by name carry FIELD_BYTE_OFFSET
// relocations (in the artifact and in the ELF object's .BTF.ext), resolved against the running
// kernel's BTF at load time. The programs here are compiled against a made-up "other kernel" BTF
// whose task_struct puts tgid, pid and real_parent at offsets this kernel does not use; loaded
// here, they still read this process's pid and parent pid.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Btf, BtfBuilder } from "../../src/btf/index.js";
import { kernelBtf } from "../../src/btf/vmlinux.js";
import { compileModule, type CompiledModule } from "../../src/compiler/compile.js";
import { writeElf } from "../../src/compiler/elf.js";
import { KernelObject } from "../../src/loader/kernel-object.js";
import { programBytes } from "../../src/compiler/artifact.js";
import { loadObject } from "../../src/loader/index.js";
import { testRun } from "../../src/programs/test-run.js";
import { main } from "../../src/cli/main.js";
import { KERNEL_IMPORT, repoRoot, virtualFile } from "../helpers/compiler-helpers.js";

const hasBpftool = spawnSync("bpftool", ["version"]).status === 0;

/** An "other kernel": task_struct { long state; pid_t tgid @8; task_struct *real_parent @16; char pad[16]; pid_t pid @40; }. */
function otherKernelBtf(): Btf {
  return Btf.parse(otherKernelBtfBytes());
}

function otherKernelBtfBytes(): Buffer {
  const b = new BtfBuilder();
  const int = b.addInt("int", 4, { signed: true });
  const long = b.addInt("long", 8, { signed: true });
  const pidT = b.addTypedef("pid_t", int);
  const char = b.addInt("char", 1, { char: true });
  const pad = b.addArray(char, 16, int);
  const self = b.addPtr(b.nextId + 1);
  b.addStruct("task_struct", 48, [
    { name: "__state", type: long, bitOffset: 0 },
    { name: "tgid", type: pidT, bitOffset: 64 },
    { name: "real_parent", type: self, bitOffset: 128 },
    { name: "__pad", type: pad, bitOffset: 192 },
    { name: "pid", type: pidT, bitOffset: 320 },
  ]);
  return b.build();
}

const SOURCE = `
import { rawTracepoint, getCurrentTask, getCurrentTaskBtf, cast, type task_struct } from "${KERNEL_IMPORT}";

/** A BTF pointer: the load's offset is relocated. */
export const direct = rawTracepoint("sys_enter", (ctx) => {
  const me = getCurrentTaskBtf();
  return me.tgid;
});

/** A probe read: the address computation's immediate is relocated. */
export const probed = rawTracepoint("sys_enter", (ctx) => {
  const me = cast<task_struct>(getCurrentTask());
  return me.pid;
});

/** A pointer read, then a field of what it points to: two relocations. */
export const parent = rawTracepoint("sys_enter", (ctx) => {
  const me = getCurrentTaskBtf();
  return me.real_parent.tgid;
});
`;

async function compileForOtherKernel(): Promise<CompiledModule> {
  return compileModule(virtualFile("core-other-kernel"), { source: SOURCE, btf: otherKernelBtf() });
}

const EXPECTED: Record<string, number> = { direct: process.pid, probed: process.pid, parent: process.ppid };

function run(prog: { fd: number }): number {
  return testRun(prog, { ctx: Buffer.alloc(16), ctxOutSize: 0 }).retval;
}

test("CO-RE: compiled field reads carry relocations with the compile-time offsets", async () => {
  const { artifact } = await compileForOtherKernel();
  assert.ok(artifact.coreBtf, "the artifact carries the local BTF");
  const local = Btf.parse(Buffer.from(artifact.coreBtf, "base64"));
  const kernel = kernelBtf();
  // The layouts really differ: unrelocated code would read the wrong fields here.
  assert.notEqual(kernel.memberOffset("task_struct", "tgid"), 8);
  assert.notEqual(kernel.memberOffset("task_struct", "pid"), 40);
  const direct = artifact.programs.find((p) => p.name === "direct")!;
  assert.equal(direct.core?.length, 1);
  const [relo] = direct.core!;
  assert.equal(relo!.kind, 0); // FIELD_BYTE_OFFSET
  assert.equal(local.typeById(relo!.type).name, "task_struct");
  assert.equal(relo!.access, "0:0"); // the local struct lists only tgid, pid, real_parent
  assert.equal(programBytes(direct).readInt16LE(relo!.slot * 8 + 2), 8); // ldx rX, [rY + 8]
  const parent = artifact.programs.find((p) => p.name === "parent")!;
  assert.equal(parent.core?.length, 2);
});

test("CO-RE: the artifact compiled for another kernel's layout reads the right values here", async () => {
  const { artifact } = await compileForOtherKernel();
  using obj = KernelObject.load(artifact);
  for (const [name, want] of Object.entries(EXPECTED)) assert.equal(run(obj.programs[name]!), want, name);
});

test("CO-RE: the ELF object carries the relocations in .BTF.ext; tsbpf's ELF loader resolves them", async (t) => {
  const m = await compileForOtherKernel();
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-core-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const object = join(dir, "core.o");
  writeFileSync(object, writeElf(m));
  using obj = loadObject(object);
  for (const [name, want] of Object.entries(EXPECTED)) assert.equal(run(obj.programs[name]!), want, name);
});

test("CO-RE: bpftool (libbpf) relocates and loads the ELF object", {
  skip: hasBpftool ? false : "bpftool is not installed",
}, async (t) => {
  const m = await compileForOtherKernel();
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-core-"));
  const pins = `/sys/fs/bpf/tsbpf-core-${process.pid}`;
  t.after(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(pins, { recursive: true, force: true });
  });
  const object = join(dir, "core.o");
  writeFileSync(object, writeElf(m));
  const r = spawnSync("bpftool", ["-d", "prog", "loadall", object, pins], { encoding: "utf8" });
  assert.equal(r.status, 0, `bpftool prog loadall failed:\n${r.stderr.split("\n").slice(-25).join("\n")}`);
  assert.deepEqual(readdirSync(pins).sort(), ["direct", "parent", "probed"]);
  // libbpf's debug log shows it relocated every access against the kernel's task_struct.
  const relocated = r.stderr
    .split("\n")
    .filter((l) => /CO-RE relocating \[\d+\] struct task_struct/.test(l) || /relo #\d+: patched insn/.test(l));
  assert.ok(
    relocated.length >= 4,
    r.stderr
      .split("\n")
      .filter((l) => l.includes("CO-RE") || l.includes("relo"))
      .join("\n"),
  );
});

test("CO-RE: the examples' kernel struct reads are relocated too (and resolve to this kernel's layout)", async () => {
  const { artifact } = await compileModule(join(repoRoot, "examples", "kernel", "tcp-lifecycle.bpf.ts"));
  const withCore = artifact.programs.filter((p) => p.core?.length);
  assert.ok(withCore.length > 0, "tcp-lifecycle reads sock fields by name");
  using obj = KernelObject.load(artifact); // resolution errors would throw here
  assert.ok(Object.keys(obj.programs).length > 0);
});

test("CO-RE: tsbpf compile --btf compiles against another kernel's BTF; the object still reads the right values here", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-core-cli-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "other.bpf.ts"),
    btf = join(dir, "other-vmlinux.btf"),
    object = join(dir, "other.o");
  writeFileSync(file, SOURCE.replace(KERNEL_IMPORT, join(repoRoot, "src", "kernel", "index.js")));
  writeFileSync(btf, otherKernelBtfBytes());
  let err = "";
  const code = await main(["compile", file, "--btf", btf, "-o", object], {
    stdout: () => {},
    stderr: (s) => {
      err += s;
    },
    stdin: () => "",
  });
  assert.equal(code, 0, err);
  using obj = loadObject(object);
  for (const [name, want] of Object.entries(EXPECTED)) assert.equal(run(obj.programs[name]!), want, name);
});
