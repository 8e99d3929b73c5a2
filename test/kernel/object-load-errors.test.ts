// Loading errors that only the kernel can reveal get a typed error that says what is wrong and
// where: unknown section names at load, CO-RE relocations the running kernel cannot satisfy,
// __ksym variables it cannot place, and a pinned map that differs from the definition.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import {
  BpfObjectFile,
  CoreRelocationError,
  ExternError,
  MapDefinitionError,
  UnknownSectionError,
  link,
} from "../../src/object/index.js";
import { loadObject } from "../../src/loader/index.js";
import { VerifierError } from "../../src/programs/program.js";
import { HashMap, u32 } from "../../src/maps/index.js";
import { ProgType } from "../../src/uapi.js";
import { testRun } from "../../src/programs/test-run.js";
import { kernelBtf } from "../../src/btf/vmlinux.js";
import { corpusObject } from "../helpers/bpf-corpus.js";

/** Asserts `fn` throws an instance of `type` whose message matches every pattern. */
function throwsTyped(fn: () => unknown, type: abstract new (...args: never[]) => Error, ...patterns: RegExp[]): Error {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  assert.ok(
    caught instanceof type,
    `expected ${type.name}, got ${caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught)}`,
  );
  for (const p of patterns) assert.match((caught as Error).message, p);
  return caught as Error;
}

test("an unknown section name: UnknownSectionError at load naming section and program; a type given in the options loads it", () => {
  const path = corpusObject("unknown_section");
  const file = BpfObjectFile.parse(readFileSync(path), { file: path });
  assert.equal(file.programs[0]!.type, undefined, "parsing records the program without a type");
  const err = throwsTyped(
    () => loadObject(file),
    UnknownSectionError,
    /section "tsbpf_bogus\/whatever"/,
    /program "bogus"/,
  ) as UnknownSectionError;
  assert.equal(err.section, "tsbpf_bogus/whatever");
  const peer = spawnSync("bpftool", ["prog", "loadall", path, "/sys/fs/bpf/tsbpf_never"], { encoding: "utf8" });
  assert.notEqual(peer.status, 0);
  assert.match(
    peer.stderr,
    /failed to guess program type from ELF section 'tsbpf_bogus\/whatever'/,
    "libbpf refuses it the same way",
  );
  using obj = loadObject(file, { programs: { bogus: { type: ProgType.SOCKET_FILTER } } });
  assert.equal(testRun(obj.programs.bogus!, { data: new Uint8Array(64) }).retval, 0);
});

test("an unresolvable CO-RE relocation: the instruction is poisoned, and loading fails naming type and field", () => {
  const path = corpusObject("core_unresolved");
  const file = BpfObjectFile.parse(readFileSync(path), { file: path });
  const [missing, guarded] = link(file, { targetBtf: kernelBtf() });
  assert.equal(missing!.poisoned.length, 1);
  const insn = missing!.poisoned[0]!.insn;
  assert.equal(missing!.insns[insn * 8], 0x85, "a call…");
  assert.equal(Buffer.from(missing!.insns).readInt32LE(insn * 8 + 4), 0xbad2310, "…to helper 0xbad2310, like libbpf");
  const err = throwsTyped(
    () => loadObject(file),
    CoreRelocationError,
    /program "read_missing"/,
    /struct task_struct___old\.tsbpf_no_such_field/,
    /<byte_off>/,
  ) as CoreRelocationError;
  assert.equal(err.typeName, "struct task_struct___old");
  assert.equal(err.field, ".tsbpf_no_such_field");
  assert.equal(err.kind, "byte_off");
  assert.ok(err.cause instanceof VerifierError, "the verifier's rejection is the cause");
  assert.match((err.cause as VerifierError).log, /unknown#195896080/);
  // Behind bpf_core_field_exists() the same read is dead code: that program loads.
  assert.equal(guarded!.poisoned.length, 1);
  using ok = loadObject(file, { programs: { read_missing: { load: false } } });
  assert.ok(ok.programs.read_guarded);
  // libbpf fails the same object the same way.
  const peer = spawnSync("bpftool", ["prog", "loadall", path, "/sys/fs/bpf/tsbpf_never"], { encoding: "utf8" });
  assert.match(
    peer.stderr,
    /failed to resolve CO-RE relocation <byte_off> \[\d+\] struct task_struct___old\.tsbpf_no_such_field/,
  );
});

test("a __ksym variable the kernel cannot place: ExternError naming it", () => {
  const path = corpusObject("ksym_var");
  const file = BpfObjectFile.parse(readFileSync(path), { file: path });
  const [prog] = link(file, { targetBtf: kernelBtf() });
  const btfId = kernelBtf().findByName("bpf_prog_active", "var")[0]!;
  const ld = file.relocations.get(file.programs[0]!.sectionIndex)!.find((r) => r.kind === "extern_ld")!;
  assert.equal(prog!.insns[ld.insn * 8 + 1]! >> 4, 3, "BPF_PSEUDO_BTF_ID");
  assert.equal(Buffer.from(prog!.insns).readInt32LE(ld.insn * 8 + 4), btfId, "the VAR's id in the kernel's BTF");
  try {
    using obj = loadObject(file);
    assert.ok(obj.programs.read_ksym, "this kernel resolves data symbols (CONFIG_KALLSYMS_ALL)");
  } catch (err) {
    assert.ok(err instanceof ExternError, String(err));
    assert.match(err.message, /"bpf_prog_active"/);
    assert.match(err.message, /program "read_ksym"/);
  }
});

test("a map pinned by name that differs from the definition: MapDefinitionError, and nothing left behind", (t) => {
  const root = `/sys/fs/bpf/tsbpf_err_${process.pid}`;
  mkdirSync(root);
  t.after(() => rmSync(root, { recursive: true, force: true }));
  using wrong = HashMap.create({ name: "getuid_calls", key: u32, value: u32, maxEntries: 1024 });
  wrong.pin(`${root}/getuid_calls`);
  throwsTyped(
    () => loadObject(corpusObject("tracing"), { pinRoot: root }),
    MapDefinitionError,
    /map "getuid_calls"/,
    /value size 4 != 8/,
  );
});
