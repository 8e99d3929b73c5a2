// The bpf_conformance suite (github.com/Alan-Jowett/bpf_conformance) run in the VM: a reader for
// its `.data` files, a runner with the suite's contract (r1 = the `-- mem` bytes or 0, r2 = their
// length, 512-byte stack, the full 64-bit r0 must equal `-- result`), and the suite's plugin
// protocol (program bytes as hex on stdin, memory as a hex argument, r0 as hex on stdout) so the
// suite's own runner can drive the VM.
//
// A file under a directory named `negative` is expected to be rejected: by having no program,
// by the text assembler, by the VM's validator, by faulting, or by a result other than the one it
// claims. When such a file names an `-- error`, the rejection's message must contain it
// (case-insensitively); files without a program are rejected before any message exists.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import { encode } from "../asm/instruction.js";
import { assembleText } from "../asm/text.js";
import { Vm } from "./vm.js";

export interface DataFile {
  /** Program text of `-- asm`. */
  asm?: string;
  /** Program bytes of `-- raw`. */
  raw?: Uint8Array;
  /** Input memory of `-- mem`. */
  mem: Uint8Array;
  /** Expected r0, when there is a `-- result`. */
  result?: bigint;
  /** Expected error text, when there is an `-- error` section (may be ""). */
  error?: string;
  /** A section the suite does not know: the suite then treats the file as having no program. */
  unknownSection?: string;
}

/** Parses a `.data` file with the suite's rules: `#` starts a comment, `-- name` starts a section. */
export function parseDataFile(text: string): DataFile {
  const out: DataFile = { mem: new Uint8Array(0) };
  let section = "";
  const asm: string[] = [],
    raw: string[] = [],
    mem: string[] = [];
  let result: string | undefined;
  for (let line of text.split("\n")) {
    if (line.endsWith("\r")) line = line.slice(0, -1);
    const hash = line.indexOf("#");
    if (hash >= 0) line = line.slice(0, hash);
    if (line.includes("--")) {
      // the suite matches section names by substring, in this order
      if (line.includes("asm")) section = "asm";
      else if (line.includes("result")) section = "result";
      else if (line.includes("mem")) section = "mem";
      else if (line.includes("raw")) section = "raw";
      else if (line.includes("no register offset") || line.includes(" c")) section = "";
      else if (line.includes("error")) {
        section = "error";
        out.error ??= "";
      } else {
        out.unknownSection = line.replace(/^\s*--\s*/, "").trim();
        section = "";
      }
      continue;
    }
    if (line.trim() === "") continue;
    switch (section) {
      case "asm":
        asm.push(line);
        break;
      case "raw":
        raw.push(line);
        break;
      case "mem":
        mem.push(line);
        break;
      case "result":
        result = line.trim();
        break;
      case "error":
        out.error = line.trim();
        break;
    }
  }
  if (asm.length) out.asm = asm.join("\n");
  if (raw.length) {
    const tokens = raw.join(" ").split(/\s+/).filter(Boolean);
    if (tokens.every((t) => /^[0-9a-f]{2}$/i.test(t))) out.raw = Uint8Array.from(tokens, (t) => parseInt(t, 16));
    else {
      const b = Buffer.alloc(tokens.length * 8);
      tokens.forEach((t, i) => b.writeBigUInt64LE(BigInt.asUintN(64, BigInt(t)), i * 8));
      out.raw = b;
    }
  }
  if (mem.length) out.mem = Uint8Array.from(mem.join(" ").split(/\s+/).filter(Boolean), (t) => parseInt(t, 16));
  if (result !== undefined)
    out.result = BigInt.asUintN(64, BigInt(result.includes("0x") ? result.slice(result.indexOf("0x")) : result));
  return out;
}

export type Stage = "parse" | "assemble" | "validate" | "run" | "result";

export interface CaseOutcome {
  name: string;
  file: string;
  /** The file is in a `negative` directory: it must be rejected. */
  negative: boolean;
  passed: boolean;
  /** Where the program stopped (for a successful positive case: "result"). */
  stage: Stage;
  message: string;
  r0?: bigint;
  expected?: bigint;
  instructions?: number;
}

export interface ConformanceOptions {
  tier?: "auto" | "compiled" | "interpreter";
}

/** The program bytes of a test: `-- raw` if present, else the assembled `-- asm`. */
export function programOf(t: DataFile): Uint8Array | undefined {
  if (t.unknownSection !== undefined) return undefined;
  if (t.raw) return t.raw;
  if (t.asm !== undefined) return encode(assembleText(t.asm));
  return undefined;
}

/** Runs one parsed test; `negative` says whether it must be rejected. */
export function runCase(
  name: string,
  file: string,
  t: DataFile,
  negative: boolean,
  options: ConformanceOptions = {},
): CaseOutcome {
  const base = { name, file, negative };
  const rejected = (stage: Stage, message: string, checkText: boolean): CaseOutcome => {
    if (!negative) return { ...base, passed: false, stage, message };
    const want = t.error;
    if (checkText && want && !message.toLowerCase().includes(want.toLowerCase())) {
      return {
        ...base,
        passed: false,
        stage,
        message: `rejected, but the message does not contain "${want}": ${message}`,
      };
    }
    return { ...base, passed: true, stage, message };
  };
  let bytes: Uint8Array | undefined;
  try {
    bytes = programOf(t);
  } catch (e) {
    return rejected("assemble", errorText(e), true);
  }
  if (bytes === undefined || bytes.length === 0) {
    return rejected(
      "parse",
      t.unknownSection !== undefined
        ? `unknown directive "${t.unknownSection}": the file has no program`
        : "the file has no program",
      false,
    );
  }
  if (t.result === undefined && t.error === undefined)
    return rejected("parse", "the file has neither a result nor an error", false);
  const vm = new Vm({ tier: options.tier });
  let prog;
  try {
    prog = vm.load({ code: bytes });
  } catch (e) {
    return rejected("validate", errorText(e), true);
  }
  let r;
  try {
    r = prog.run({ mem: Uint8Array.from(t.mem) });
  } catch (e) {
    return rejected("run", errorText(e), true);
  }
  const outcome = { r0: r.r0, expected: t.result, instructions: r.instructions };
  if (t.error !== undefined && t.result === undefined) {
    return {
      ...base,
      ...outcome,
      passed: false,
      stage: "result",
      message: `expected the error "${t.error}", but the program ran and returned 0x${r.r0.toString(16)}`,
    };
  }
  if (r.r0 !== t.result) {
    const message = `returned 0x${r.r0.toString(16)}, expected 0x${t.result!.toString(16)}`;
    return negative
      ? { ...base, ...outcome, passed: true, stage: "result", message }
      : { ...base, ...outcome, passed: false, stage: "result", message };
  }
  if (negative)
    return {
      ...base,
      ...outcome,
      passed: false,
      stage: "result",
      message: "a negative test was accepted and returned the expected value",
    };
  return { ...base, ...outcome, passed: true, stage: "result", message: "" };
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** `.data` files under a file or directory (recursively), sorted. */
export function findDataFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  const out: string[] = [];
  for (const entry of readdirSync(path).sort()) {
    const p = join(path, entry);
    if (statSync(p).isDirectory()) out.push(...findDataFiles(p));
    else if (entry.endsWith(".data")) out.push(p);
  }
  return out;
}

export interface ConformanceReport {
  passed: number;
  failed: number;
  outcomes: CaseOutcome[];
}

/** Runs every `.data` file under `path`; files under a `negative` directory must be rejected. */
export function runConformance(path: string, options: ConformanceOptions = {}): ConformanceReport {
  const outcomes: CaseOutcome[] = [];
  for (const file of findDataFiles(path)) {
    const negative = relative(path, file).split(/[\\/]/).includes("negative") || basename(dirname(file)) === "negative";
    const name = basename(file, ".data");
    let t: DataFile;
    try {
      t = parseDataFile(readFileSync(file, "utf8"));
    } catch (e) {
      outcomes.push({ name, file, negative, passed: negative, stage: "parse", message: errorText(e) });
      continue;
    }
    outcomes.push(runCase(name, file, t, negative, options));
  }
  const passed = outcomes.filter((o) => o.passed).length;
  return { passed, failed: outcomes.length - passed, outcomes };
}

/** Hex bytes as the suite writes them ("b7  00  00 …", separators optional). */
export function parseHexBytes(text: string): Uint8Array {
  const clean = text.replace(/0x/gi, " ").trim();
  if (clean === "") return new Uint8Array(0);
  const tokens = clean.split(/[\s,]+/).filter(Boolean);
  // either separated bytes, or one run of hex digits
  const digits = tokens.length === 1 && tokens[0]!.length > 2 ? (tokens[0]!.match(/../g) ?? []) : tokens;
  return Uint8Array.from(digits, (t) => {
    if (!/^[0-9a-f]{1,2}$/i.test(t)) throw new Error(`not a hex byte: "${t}"`);
    return parseInt(t, 16);
  });
}

export interface PluginResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/**
 * One plugin invocation of the suite: `program` is the stdin text (hex bytes of the program),
 * `memory` the hex argument (or undefined). Prints r0 in hex, or the error with exit code 1.
 */
export function runPlugin(program: string, memory: string | undefined, options: ConformanceOptions = {}): PluginResult {
  try {
    const bytes = parseHexBytes(program);
    const mem = memory === undefined ? new Uint8Array(0) : parseHexBytes(memory);
    const vm = new Vm({ tier: options.tier });
    const r = vm.load({ code: bytes }).run({ mem });
    return { stdout: `${r.r0.toString(16)}\n`, stderr: "", exitCode: 0 };
  } catch (e) {
    return { stdout: "", stderr: `${errorText(e)}\n`, exitCode: 1 };
  }
}
