// The ELF reader reads a file in memory (parse) and an opened file piece by piece (open) the same
// way: sections, program headers, every symbol entry across its 64 KiB reads, and string searches
// across the seams of its 64 KiB pieces. It holds no descriptor once closed or once open failed,
// and holds a file to what the caller expects of it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ANY_ELF64, ElfFile, type ElfSection, type SymbolEntry } from "../../src/elf/reader.js";
import { ElfError, ElfMachineError } from "../../src/elf/errors.js";
import { SectionType } from "../../src/elf/constants.js";
import { resolveBinaryPath } from "../../src/elf/symbols.js";
import { TargetNotFoundError } from "../../src/sys/errors.js";

const openFds = (): number => readdirSync("/proc/self/fd").length;
const shape = (s: ElfSection): Omit<ElfSection, "data"> => {
  const { data: _data, ...rest } = s;
  return rest;
};
const entries = (elf: ElfFile, table: ElfSection): SymbolEntry[] => {
  const out: SymbolEntry[] = [];
  elf.visitSymbols(table, (e) => out.push({ ...e }));
  return out;
};

test("an opened file reads as the same file parsed in memory: sections, segments, every symbol", () => {
  const libc = resolveBinaryPath("libc");
  const fds = openFds();
  {
    using opened = ElfFile.open(libc);
    const parsed = ElfFile.parse(readFileSync(libc), libc, ANY_ELF64);
    assert.deepEqual(opened.sections.map(shape), parsed.sections.map(shape));
    assert.deepEqual(opened.segments, parsed.segments);
    assert.ok(opened.segments.length > 0);
    const dynsym = opened.sections.find((s) => s.type === SectionType.DYNSYM)!;
    assert.ok(dynsym.size / dynsym.entsize > 65536 / 24, "the table spans more than one read of an opened file");
    const fromFile = entries(opened, dynsym);
    assert.deepEqual(fromFile, entries(parsed, parsed.sections[dynsym.index]!));
    const names = opened.symbolNames(dynsym);
    assert.ok(fromFile.some((e) => opened.stringAt(names, e.nameOffset) === "getpid"));
    assert.equal(
      opened.stringAt(names, fromFile.at(-1)!.nameOffset),
      parsed.strings(parsed.sections[names.index]!).at(fromFile.at(-1)!.nameOffset),
    );
    assert.deepEqual(
      opened.section(".dynstr")!.data,
      parsed.section(".dynstr")!.data,
      "section contents read on first use",
    );
  }
  assert.equal(openFds(), fds, "the descriptor is closed");
});

test("string searches find names that straddle the seams of an opened file's 64 KiB pieces", () => {
  using elf = ElfFile.open(process.execPath);
  const dynsym = elf.sections.find((s) => s.type === SectionType.DYNSYM)!;
  const strtab = elf.symbolNames(dynsym);
  assert.ok(strtab.size > 4 * 65536, `${process.execPath}: .dynstr spans several pieces`);
  const whole = Buffer.from(elf.strings(strtab).bytes);
  // A name across each of the first seams, as the symbols use them.
  const straddling = new Set<string>();
  elf.visitSymbols(dynsym, (e) => {
    const name = elf.stringAt(strtab, e.nameOffset);
    const seam = Math.ceil(e.nameOffset / 65536) * 65536;
    if (name && e.nameOffset < seam && e.nameOffset + name.length >= seam && seam <= 16 * 65536) straddling.add(name);
  });
  assert.ok(straddling.size >= 3, `names across seams: ${[...straddling].join(", ")}`);
  const wanted = [...straddling].map((name) => ({ bytes: Buffer.from(name) }));
  const hits = elf.findStrings(strtab, wanted);
  wanted.forEach((w, i) => {
    const expected: number[] = [];
    for (let at = whole.indexOf(w.bytes); at >= 0; at = whole.indexOf(w.bytes, at + 1))
      if (whole[at + w.bytes.length] === 0) expected.push(at);
    const found = [...hits]
      .filter(([, which]) => which.includes(i))
      .map(([at]) => at)
      .sort((a, b) => a - b);
    assert.deepEqual(found, expected, w.bytes.toString());
  });
});

test("open: a missing file, a file that is not ELF, reads after close; no descriptor left behind", () => {
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-elf-reader-"));
  try {
    const fds = openFds();
    assert.throws(
      () => ElfFile.open(join(dir, "missing")),
      (err: unknown) => err instanceof TargetNotFoundError && /no such file/.test(err.message),
    );
    const text = join(dir, "script.sh");
    writeFileSync(text, "#!/bin/sh\necho not an ELF file at all\n");
    assert.throws(
      () => ElfFile.open(text),
      (err: unknown) =>
        err instanceof ElfError && err.message === `${text}: byte 0: not an ELF file (bad magic number)`,
    );
    assert.equal(openFds(), fds, "a failed open closes its descriptor");
    const elf = ElfFile.open(process.execPath);
    elf.close();
    assert.throws(() => elf.section(".dynstr")!.data, ElfError);
    assert.equal(openFds(), fds);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("expectations: an x86-64 executable is well-formed ELF64, but not a BPF object", () => {
  const bytes = readFileSync(resolveBinaryPath("libc"));
  assert.ok(ElfFile.parse(bytes, "libc", ANY_ELF64).segments.length > 0);
  assert.throws(
    () => ElfFile.parse(bytes, "libc"),
    (err: unknown) => err instanceof ElfMachineError && /e_machine is 62 \(x86-64\), not 247 \(BPF\)/.test(err.message),
  );
});
