// Bad input gets a typed error that says what is wrong and where: truncated or corrupt ELF, the
// wrong machine or byte order, relocations that make no sense, BTF that does not parse, map
// definitions with unknown fields and unknown load options — all found before the kernel is asked.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  BpfObjectFile,
  ElfError,
  ElfFile,
  ElfMachineError,
  MapDefinitionError,
  ObjectBtfError,
  RelocationError,
} from "../../src/object/index.js";
import { loadObject } from "../../src/loader/index.js";
import { corpusDir, corpusObject, CORPUS_SOURCE } from "../helpers/bpf-corpus.js";

const bytesOf = (name: string): Buffer => readFileSync(corpusObject(name));
const parse = (bytes: Uint8Array, file = "test.o"): BpfObjectFile => BpfObjectFile.parse(bytes, { file });

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

test("truncated files: ElfError naming what is cut short", () => {
  const good = bytesOf("globals");
  throwsTyped(() => parse(good.subarray(0, 3)), ElfError, /truncated: 3 bytes/);
  throwsTyped(
    () => parse(good.subarray(0, 40)),
    ElfError,
    /truncated: 40 bytes, the ELF64 header alone is 64/,
    /ELF header/,
  );
  throwsTyped(() => parse(good.subarray(0, good.length - 100)), ElfError, /section header/, /truncated/);
  // Cut inside the contents of a section: the section table is intact (copied to the end) but the contents are not.
  const elf = ElfFile.parse(good);
  const btf = elf.section(".BTF")!;
  const shoff = Number(good.readBigUInt64LE(40));
  const cut = Buffer.concat([good.subarray(0, btf.offset + 8), good.subarray(shoff)]);
  cut.writeBigUInt64LE(BigInt(btf.offset + 8), 40);
  throwsTyped(() => parse(cut), ElfError, /contents .* lie past the end of the file/, /section \d+/);
});

test("not ELF, the wrong class, the wrong machine, the wrong byte order: ElfError / ElfMachineError", () => {
  throwsTyped(() => parse(Buffer.from("#!/bin/sh\necho this is not an object file\n")), ElfError, /not an ELF file/);
  const good = bytesOf("globals");
  const x86 = Buffer.from(good);
  x86.writeUInt16LE(62, 18);
  throwsTyped(() => parse(x86, "x86.o"), ElfMachineError, /e_machine is 62 \(x86-64\), not 247 \(BPF\)/, /x86\.o/);
  const elf32 = Buffer.from(good);
  elf32[4] = 1;
  throwsTyped(() => parse(elf32), ElfMachineError, /ELFCLASS64/);
  const exec = Buffer.from(good);
  exec.writeUInt16LE(2, 16);
  throwsTyped(() => parse(exec), ElfError, /ET_REL/);
  // A real big-endian object, compiled for bpfeb.
  const out = join(corpusDir(), "globals.bpfeb.o");
  const r = spawnSync(
    "clang",
    [
      "-O2",
      "-g",
      "-target",
      "bpfeb",
      `-I${corpusDir()}`,
      `-I${CORPUS_SOURCE}`,
      "-c",
      join(CORPUS_SOURCE, "globals.bpf.c"),
      "-o",
      out,
    ],
    { encoding: "utf8" },
  );
  assert.equal(r.status, 0, r.stderr);
  throwsTyped(
    () => BpfObjectFile.parse(readFileSync(out), { file: out }),
    ElfMachineError,
    /big-endian but this host is little-endian/,
    /bpfel/,
  );
});

test("a corrupt section table: ElfError naming the section", () => {
  const good = bytesOf("globals");
  const shoff = Number(good.readBigUInt64LE(40));
  const bad = Buffer.from(good);
  // Section 3 (the program) claims contents far past the end of the file.
  bad.writeBigUInt64LE(0x7fff_0000n, shoff + 3 * 64 + 24);
  throwsTyped(() => parse(bad), ElfError, /section 3/, /past the end of the file/);
  const badNames = Buffer.from(good);
  badNames.writeUInt16LE(999, 62); // e_shstrndx
  throwsTyped(() => parse(badNames), ElfError, /section name table index 999 is out of range/);
});

/** Offset in the file of relocation entry `i` of section `name`. */
function relocationEntry(bytes: Buffer, name: string, i: number): number {
  const elf = ElfFile.parse(bytes);
  const rel = elf.section(name);
  assert.ok(rel, `section ${name}`);
  return rel.offset + i * 16;
}

test("bad relocations: RelocationError naming the section, the offset and the symbol", () => {
  const good = bytesOf("globals");
  // Point the first relocation of .relxdp at instruction 0 (a load from the context, not a 64-bit immediate).
  const bad = Buffer.from(good);
  bad.writeBigUInt64LE(0n, relocationEntry(good, ".relxdp", 0));
  throwsTyped(
    () => parse(bad, "globals.o"),
    RelocationError,
    /section "xdp", relocation at byte 0 against "packets"/,
    /neither a 64-bit load nor a call/,
  );
  // A relocation past the end of its section.
  const past = Buffer.from(good);
  past.writeBigUInt64LE(0x10000n, relocationEntry(good, ".relxdp", 0));
  throwsTyped(() => parse(past), RelocationError, /not an instruction of the section/);
  // A symbol index past the symbol table.
  const sym = Buffer.from(good);
  sym.writeUInt32LE(0xffff, relocationEntry(good, ".relxdp", 0) + 12);
  throwsTyped(() => parse(sym), ElfError, /symbol 65535 is past the symbol table/);
  // A BPF-to-BPF call aimed at a program section instead of .text.
  const multi = bytesOf("multiprog");
  const elf = ElfFile.parse(multi);
  const first = elf.symbols.find((s) => s.name === "first")!;
  const call = Buffer.from(multi);
  call.writeUInt32LE(first.index, relocationEntry(multi, ".relxdp", 0) + 12);
  throwsTyped(() => parse(call), RelocationError, /call into section "xdp"/, /must be in \.text/);
});

test("BTF that does not parse: ObjectBtfError naming the section and byte", () => {
  const good = bytesOf("globals");
  const elf = ElfFile.parse(good);
  const btf = elf.section(".BTF")!;
  const magic = Buffer.from(good);
  magic.writeUInt16LE(0x1234, btf.offset);
  throwsTyped(() => parse(magic), ObjectBtfError, /section "\.BTF" byte 0/, /bad magic 0x1234/);
  // An unknown kind in the first type record (bits 24-28 of its info word).
  const kind = Buffer.from(good);
  const hdrLen = good.readUInt32LE(btf.offset + 4);
  const typeOff = good.readUInt32LE(btf.offset + 8);
  kind.writeUInt32LE((31 << 24) >>> 0, btf.offset + hdrLen + typeOff + 4);
  throwsTyped(() => parse(kind), ObjectBtfError, /unknown kind 31/, /section "\.BTF"/);
  const ext = elf.section(".BTF.ext")!;
  const badExt = Buffer.from(good);
  badExt.writeUInt32LE(0xffff, ext.offset + 4); // header length
  throwsTyped(() => parse(badExt), ObjectBtfError, /\.BTF\.ext/, /header length/);
});

test("a map definition with an unknown field: MapDefinitionError naming map and field (libbpf refuses it too)", () => {
  const path = corpusObject("bad_map");
  throwsTyped(
    () => BpfObjectFile.parse(readFileSync(path), { file: path }),
    MapDefinitionError,
    /map "bad"/,
    /unknown field "tsbpf_bogus_field"/,
  );
  const peer = spawnSync("bpftool", ["prog", "loadall", path, "/sys/fs/bpf/tsbpf_never"], { encoding: "utf8" });
  assert.match(peer.stderr, /unknown field 'tsbpf_bogus_field'/);
});

test("unknown load options: typed errors naming them", () => {
  const path = corpusObject("globals");
  throwsTyped(
    () => loadObject(path, { variables: { no_such_var: 1 } }),
    Error,
    /no global variable "no_such_var"/,
    /verdict/,
  );
  throwsTyped(() => loadObject(path, { programs: { nope: { load: false } } }), Error, /no program "nope"/);
});
