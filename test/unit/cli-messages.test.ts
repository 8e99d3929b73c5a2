// What a user reads when something is wrong: usage errors in tsbpf's words with a pointer to
// --help, files that are missing, unreadable, directories or of the wrong kind, verifier
// rejections with the verdict and the source line, and --json errors as an NDJSON record.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseCommandArgs, UsageError } from "../../src/cli/command.js";
import { repoRoot } from "../helpers/compiler-helpers.js";
import { ROOT_WITHOUT_CAPABILITIES } from "../helpers/tool-process.js";

const MAIN = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));
const COUNTER = join(repoRoot, "examples", "kernel", "xdp-counter.bpf.ts");
const KERNEL = join(repoRoot, "src", "kernel", "index.js");

interface Run { code: number | null; stdout: string; stderr: string }

function tsbpf(args: string[], wrap: string[] = []): Run {
  const [cmd, ...pre] = wrap.length ? [...wrap, process.execPath] : [process.execPath];
  const r = spawnSync(cmd!, [...pre, MAIN, ...args], { encoding: "utf8", timeout: 60_000 });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-messages-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function usageMessage(argv: string[], options: Parameters<typeof parseCommandArgs>[1]): string {
  try {
    parseCommandArgs(argv, options, "usage: test");
  } catch (err) {
    assert.ok(err instanceof UsageError, String(err));
    return err.message;
  }
  throw new Error(`${argv.join(" ")} parsed`);
}

test("parse errors are said in tsbpf's words, not parseArgs'", () => {
  const options = { interval: { type: "string" }, write: { type: "string", short: "w" }, all: { type: "boolean" } } as const;
  assert.equal(usageMessage(["--bogus"], options), "unknown option --bogus");
  assert.equal(usageMessage(["-z"], options), "unknown option -z");
  assert.equal(usageMessage(["-5"], options), 'unknown option -5 (an argument that starts with "-" goes after "--")');
  assert.equal(usageMessage(["--interval"], options), "missing value for --interval");
  assert.equal(usageMessage(["-w"], options), "missing value for -w (--write)");
  assert.equal(usageMessage(["--interval", "--all"], options), 'missing value for --interval: "--all" looks like an option (write --interval=--all if it is the value)');
  assert.equal(usageMessage(["--all=yes"], options), '--all takes no value (got "yes")');
  // A negative number is the option's value: the command's own check then says what is valid.
  assert.equal(parseCommandArgs(["--interval", "-1"], options, "").values.interval, "-1");
  assert.equal(parseCommandArgs(["-w", "-2.5", "x"], options, "").values.write, "-2.5");
  assert.deepEqual(parseCommandArgs(["--", "-1"], options, "").positionals, ["-1"]);
});

test("usage errors: one line and a pointer to --help, exit 2; the usage only with --help", () => {
  const bogus = tsbpf(["prog", "--bogus"]);
  assert.equal(bogus.code, 2);
  assert.equal(bogus.stderr, 'tsbpf prog: unknown option --bogus\nsee "tsbpf prog --help"\n');
  const negative = tsbpf(["count", "--interval", "-1"]);
  assert.equal(negative.code, 2);
  assert.equal(negative.stderr, 'tsbpf count: --interval wants a positive number of seconds (e.g. 1 or 0.5), not "-1"\nsee "tsbpf count --help"\n');
  const missing = tsbpf(["dump", "-w"]);
  assert.equal(missing.code, 2);
  assert.equal(missing.stderr, 'tsbpf dump: missing value for -w (--write)\nsee "tsbpf dump --help"\n');
  const repeat = tsbpf(["run", COUNTER, "--repeat", "0"]);
  assert.equal(repeat.code, 2);
  assert.match(repeat.stderr, /^tsbpf run: --repeat wants a whole number from 1 to 100000000, not "0"\n/);
  const help = tsbpf(["count", "--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^usage: tsbpf count /);
});

test("a missing file, a directory and an unreadable file read as the shell says them, in every command", (t) => {
  const dir = tempDir(t);
  const missing = join(dir, "missing");
  const secret = join(dir, "secret.o");
  writeFileSync(secret, "x");
  chmodSync(secret, 0o600);
  chownSync(secret, 65534, 65534); // another user's file: unreadable to uid 0 without CAP_DAC_OVERRIDE
  chmodSync(dir, 0o755);
  const reads: [string, (file: string) => string[]][] = [
    ["load", (f) => ["load", f]],
    ["run", (f) => ["run", f]],
    ["run --data", (f) => ["run", COUNTER, "--data", f]],
    ["compile --btf", (f) => ["compile", COUNTER, "--btf", f]],
    ["conformance", (f) => ["conformance", f]],
    ["filter -r", (f) => ["filter", "-r", f, "ip"]],
    ["gen types", (f) => ["gen", "types", f]],
    ["dump -r", (f) => ["dump", "-r", f]],
  ];
  for (const [what, args] of reads) {
    const r = tsbpf(args(`${missing}.o`));
    assert.equal(r.code, 1, `${what}: ${r.stderr}`);
    assert.equal(r.stderr, `tsbpf ${args("")[0]}: ${missing}.o: No such file or directory\n`, what);
  }
  for (const [what, args] of reads.filter(([w]) => w !== "conformance")) {
    const r = tsbpf(args(dir));
    assert.equal(r.code, 1, `${what}: ${r.stderr}`);
    assert.equal(r.stderr, `tsbpf ${args("")[0]}: ${dir}: Is a directory\n`, what);
  }
  for (const [what, args] of reads.filter(([w]) => w !== "run --data" && w !== "compile --btf")) {
    const r = tsbpf(args(secret), [...ROOT_WITHOUT_CAPABILITIES]);
    assert.equal(r.code, 1, `${what}: ${r.stderr}`);
    assert.equal(r.stderr, `tsbpf ${args("")[0]}: ${secret}: Permission denied\n`, what);
  }

  const writes: [string, (file: string) => string[]][] = [
    ["compile -o", (f) => ["compile", COUNTER, "-o", `${f}.o`]],
    ["gen-kernel -o", (f) => ["gen-kernel", "tracepoint", "sched:sched_process_exec", "-o", `${f}.ts`]],
    ["dump -w", (f) => ["dump", "-i", "lo", "-c", "1", "-w", `${f}.pcap`]],
  ];
  mkdirSync(join(dir, "taken.o"));
  mkdirSync(join(dir, "taken.ts"));
  mkdirSync(join(dir, "taken.pcap"));
  for (const [what, args] of writes) {
    const absent = tsbpf(args(join(missing, "out")));
    assert.equal(absent.code, 1, `${what}: ${absent.stderr}`);
    assert.match(absent.stderr, new RegExp(`^tsbpf [a-z-]+: ${join(missing, "out")}\\.\\w+: No such file or directory\\n$`), what);
    const directory = tsbpf(args(join(dir, "taken")));
    assert.equal(directory.code, 1, `${what}: ${directory.stderr}`);
    assert.match(directory.stderr, new RegExp(`^tsbpf [a-z-]+: ${join(dir, "taken")}\\.\\w+: Is a directory\\n$`), what);
  }
});

test("a file of the wrong kind says what was expected", (t) => {
  const dir = tempDir(t);
  const text = join(dir, "notes.txt");
  writeFileSync(text, "hello\n");
  const run = tsbpf(["run", text]);
  assert.equal(run.code, 1);
  assert.equal(run.stderr, `tsbpf run: ${text}: not an ELF object, a .bpf.json artifact or a .bpf.ts module\n`);
  const load = tsbpf(["load", text]);
  assert.equal(load.stderr, `tsbpf load: ${text}: not an ELF object (load takes clang-built .o files)\n`);
  const compile = tsbpf(["compile", text]);
  assert.equal(compile.stderr, `tsbpf compile: ${text}: not a kernel TypeScript module (.bpf.ts)\n`);
  const json = join(dir, "other.json");
  writeFileSync(json, '{"a": 1}\n');
  assert.equal(tsbpf(["run", json]).stderr, `tsbpf run: ${json}: not a tsbpf artifact (write one with tsbpf compile -o FILE.json)\n`);
});

test("run --program NAME with an unknown name lists the programs of .bpf.ts and .bpf.json inputs", (t) => {
  const dir = tempDir(t);
  const artifact = join(dir, "counter.bpf.json");
  assert.equal(tsbpf(["compile", COUNTER, "-o", artifact]).code, 0);
  for (const file of [COUNTER, artifact]) {
    const r = tsbpf(["run", file, "--program", "nope"]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stderr, `tsbpf run: no program "nope" in ${file} (programs: count)\nsee "tsbpf run --help"\n`);
  }
});

test("a verifier rejection: the verdict at its TypeScript line; --verifier-log prints the whole log", (t) => {
  const dir = tempDir(t);
  const file = join(dir, "spin.bpf.ts");
  writeFileSync(file, `import { xdp, XDP_PASS, type u32 } from "${KERNEL}";

export const spin = xdp((ctx) => {
  let n: u32 = 0;
  while (n < ctx.len) {
    n = n * 1;
  }
  return XDP_PASS;
});
`);
  const packet = join(dir, "packet.bin");
  writeFileSync(packet, Buffer.alloc(64));
  const run = tsbpf(["run", file, "--data", packet]);
  assert.equal(run.code, 1);
  assert.equal(run.stderr.split("\n").length, 2, `one line: ${run.stderr}`);
  assert.match(run.stderr, new RegExp(`^tsbpf run: ${file}:6:\\d+: program "spin" rejected by the verifier: infinite loop detected at insn \\d+ \\(\`n = n \\* 1;\`, instruction \\d+\\) \\(tsbpf run --verifier-log prints the whole log\\)\\n$`));
  assert.doesNotMatch(run.stderr, /error\.log/);

  for (const command of [["run", file, "--data", packet], ["compile", file]]) {
    const r = tsbpf([...command, "--verifier-log"]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^verifier log of program "spin":\n/);
    assert.match(r.stderr, /^; n = n \* 1; @ spin\.bpf\.ts:6$/m, "the log with the kernel's source lines");
    assert.match(r.stderr, /^processed \d+ insns/m);
    assert.match(r.stderr, /\ntsbpf \w+: .*infinite loop detected/);
    assert.doesNotMatch(r.stderr, /--verifier-log prints/);
  }

  const accepted = tsbpf(["compile", COUNTER, "--verifier-log"]);
  assert.equal(accepted.code, 0, accepted.stderr);
  assert.match(accepted.stdout, /^count +xdp /m);
  assert.match(accepted.stderr, /^verifier log of program "count":\n/);
  assert.match(accepted.stderr, /^processed \d+ insns/m);
  const object = join(dir, "counter.o");
  assert.equal(tsbpf(["compile", COUNTER, "-o", object]).code, 0);
  const load = tsbpf(["load", object, "--verifier-log"]);
  assert.equal(load.code, 0, load.stderr);
  assert.match(load.stderr, /^verifier log of program "count":\n(.*\n)*processed \d+ insns/m);
});

test("outside the subset: every construct of a file in one run, each file:line:col with the subset's reason", (t) => {
  const dir = tempDir(t);
  const file = join(dir, "loops.bpf.ts");
  writeFileSync(file, `import { xdp, XDP_PASS, type u32 } from "${KERNEL}";

export const p = xdp((ctx) => {
  let total: u32 = 0;
  for (const x of [1, 2, 3]) { total += x; }
  var y: u32 = 1;
  try { total += y; } catch { return 1; }
  return XDP_PASS;
});
export const q = xdp(() => { throw 1; });
`);
  const r = tsbpf(["compile", file]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr, [
    `${file}:5:3: error: for…of / for…in are not in the subset: use a counted for loop`,
    `${file}:6:3: error: use let or const, not var`,
    `${file}:7:3: error: try/catch is not in the subset: eBPF has no exceptions`,
    `${file}:10:30: error: throw is not in the subset: eBPF has no exceptions (return an error code)`,
    "",
  ].join("\n"));
});

test("--json: a fatal error is also one NDJSON record on stdout, with the same exit code", (t) => {
  const dir = tempDir(t);
  const missing = join(dir, "missing.o");
  const file = tsbpf(["load", missing, "--json"]);
  assert.equal(file.code, 1);
  assert.equal(file.stderr, `tsbpf load: ${missing}: No such file or directory\n`);
  assert.deepEqual(JSON.parse(file.stdout), { type: "error", message: `${missing}: No such file or directory`, code: "ENOENT" });

  const usage = tsbpf(["count", "--bogus", "--json"]);
  assert.equal(usage.code, 2);
  assert.deepEqual(JSON.parse(usage.stdout), { type: "error", message: "unknown option --bogus", code: "usage" });

  const bad = join(dir, "bad.bpf.ts");
  writeFileSync(bad, `import { xdp } from "${KERNEL}";\nexport const p = xdp(() => { throw 1; });\n`);
  const compile = tsbpf(["compile", bad, "--json"]);
  assert.equal(compile.code, 1);
  assert.equal(compile.stderr, `${bad}:2:30: error: throw is not in the subset: eBPF has no exceptions (return an error code)\n`);
  const record = JSON.parse(compile.stdout) as { type: string; code: string; message: string; diagnostics: { line: number; column: number }[] };
  assert.equal(record.type, "error");
  assert.equal(record.code, "CompileError");
  assert.equal(record.message, compile.stderr.trim());
  assert.deepEqual(record.diagnostics.map((d) => [d.line, d.column]), [[2, 30]]);
});
