/**
 * Reader for the bpf_conformance suite's `.data` test files (used by the
 * assembler tests here and by the VM's tests later). A file is a sequence of
 * sections introduced by `-- name` lines:
 *   -- asm      program text (see text.ts)
 *   -- raw      program bytes: 64-bit words (`0x5566778800000018`, one
 *               instruction slot each, little-endian) or single bytes (`07 00 …`)
 *   -- mem      input memory as hex bytes
 *   -- result   expected r0 (hex or decimal)
 *   -- error    expected error text (may be empty)
 *   -- c        the C source the program came from (ignored)
 *   -- no register offset   notes for register-offset tests (kept as text)
 * Lines before the first section are comments.
 */

export interface ConformanceTest {
  asm?: string;
  raw?: Buffer;
  mem: Buffer;
  result?: bigint;
  /** Present when the file has an `-- error` section (possibly empty text). */
  error?: string;
  /** Section names this reader does not know (e.g. `Unknown directive`). */
  unknownSections: string[];
}

const KNOWN = new Set(["asm", "raw", "mem", "result", "error", "c", "no register offset"]);

export function parseConformanceData(text: string): ConformanceTest {
  const sections = new Map<string, string[]>();
  const unknownSections: string[] = [];
  let current: string[] | undefined;
  for (const line of text.split(/\r?\n/)) {
    const m = /^--\s+(.*?)\s*$/.exec(line);
    if (m) {
      const name = m[1]!;
      if (!KNOWN.has(name)) unknownSections.push(name);
      current = [];
      sections.set(name, current);
      continue;
    }
    current?.push(line);
  }

  const test: ConformanceTest = { mem: Buffer.alloc(0), unknownSections };
  const asm = sections.get("asm");
  if (asm) test.asm = asm.join("\n");

  const raw = sections.get("raw");
  if (raw) {
    const tokens = raw.join(" ").split(/\s+/).filter((t) => t !== "");
    if (tokens.every((t) => /^[0-9a-f]{2}$/i.test(t))) {
      test.raw = Buffer.from(tokens.map((t) => parseInt(t, 16)));
    } else {
      const buf = Buffer.alloc(tokens.length * 8);
      tokens.forEach((t, i) => buf.writeBigUInt64LE(BigInt.asUintN(64, BigInt(t)), i * 8));
      test.raw = buf;
    }
  }

  const mem = sections.get("mem");
  if (mem) {
    const tokens = mem.join(" ").split(/\s+/).filter((t) => t !== "");
    test.mem = Buffer.from(tokens.map((t) => parseInt(t, 16)));
  }

  const result = sections.get("result")?.map((l) => l.trim()).filter((l) => l !== "");
  if (result && result.length > 0) test.result = BigInt.asUintN(64, BigInt(result[result.length - 1]!));

  const error = sections.get("error");
  if (error) test.error = error.map((l) => l.trim()).filter((l) => l !== "").join("\n");

  return test;
}
