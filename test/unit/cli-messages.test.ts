// What a user reads when something is wrong, before anything reaches the kernel: usage errors in
// tsbpf's words with a pointer to --help, files of the wrong kind, unknown program names, code
// outside the subset, and --json errors as an NDJSON record.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseCommandArgs, UsageError } from "../../src/cmdline/args.js";
import { repoRoot } from "../helpers/compiler-helpers.js";
import { ROOT_WITHOUT_CAPABILITIES, runTool } from "../helpers/tool-process.js";

const COUNTER = join(repoRoot, "examples", "kernel", "xdp-counter.bpf.ts");
const KERNEL = join(repoRoot, "src", "kernel", "index.js");

/** `tsbpf ARGS`, optionally behind a command prefix such as setpriv. */
function tsbpf(args: string[], wrap: string[] = []): ReturnType<typeof runTool> {
  return runTool(args, { wrap, timeoutMs: 60_000 });
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
  const options = {
    interval: { type: "string" },
    write: { type: "string", short: "w" },
    all: { type: "boolean" },
  } as const;
  assert.equal(usageMessage(["--bogus"], options), "unknown option --bogus");
  assert.equal(usageMessage(["-z"], options), "unknown option -z");
  assert.equal(usageMessage(["-5"], options), 'unknown option -5 (an argument that starts with "-" goes after "--")');
  assert.equal(usageMessage(["--interval"], options), "missing value for --interval");
  assert.equal(usageMessage(["-w"], options), "missing value for -w (--write)");
  assert.equal(
    usageMessage(["--interval", "--all"], options),
    'missing value for --interval: "--all" looks like an option (write --interval=--all if it is the value)',
  );
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
  assert.equal(
    negative.stderr,
    'tsbpf count: --interval wants a positive number of seconds (e.g. 1 or 0.5), not "-1"\nsee "tsbpf count --help"\n',
  );
  const missing = tsbpf(["dump", "-w"]);
  assert.equal(missing.code, 2);
  assert.equal(missing.stderr, 'tsbpf dump: missing value for -w (--write)\nsee "tsbpf dump --help"\n');
  const repeat = tsbpf(["run", COUNTER, "--repeat", "0"]);
  assert.equal(repeat.code, 2);
  assert.match(repeat.stderr, /^tsbpf run: --repeat wants a whole number from 1 to 100000000, not "0"\n/);
  for (const command of ["compile", "run"]) {
    const cpu = tsbpf([command, COUNTER, "--cpu", "bogus"]);
    assert.equal(cpu.code, 2);
    assert.equal(
      cpu.stderr,
      `tsbpf ${command}: --cpu wants v1, v2, v3, v4 or probe, not "bogus"\nsee "tsbpf ${command} --help"\n`,
    );
  }
  const help = tsbpf(["count", "--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^usage: tsbpf count /);
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
  assert.equal(
    tsbpf(["run", json]).stderr,
    `tsbpf run: ${json}: not a tsbpf artifact (write one with tsbpf compile -o FILE.json)\n`,
  );
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

test("outside the subset: every construct of a file in one run, each file:line:col with the subset's reason", (t) => {
  const dir = tempDir(t);
  const file = join(dir, "loops.bpf.ts");
  writeFileSync(
    file,
    `import { xdp, XDP_PASS, type u32 } from "${KERNEL}";

export const p = xdp((ctx) => {
  let total: u32 = 0;
  for (const x of [1, 2, 3]) { total += x; }
  var y: u32 = 1;
  try { total += y; } catch { return 1; }
  return XDP_PASS;
});
export const q = xdp(() => { throw 1; });
`,
  );
  const r = tsbpf(["compile", file]);
  assert.equal(r.code, 1);
  assert.equal(
    r.stderr,
    [
      `${file}:5:3: error: for…of / for…in are not in the subset: use a counted for loop`,
      `${file}:6:3: error: use let or const, not var`,
      `${file}:7:3: error: try/catch is not in the subset: eBPF has no exceptions`,
      `${file}:10:30: error: throw is not in the subset: eBPF has no exceptions (return an error code)`,
      "",
    ].join("\n"),
  );
});

test("--json: a fatal error is also one NDJSON record on stdout, with the same exit code", (t) => {
  const dir = tempDir(t);
  const missing = join(dir, "missing.o");
  const file = tsbpf(["load", missing, "--json"]);
  assert.equal(file.code, 1);
  assert.equal(file.stderr, `tsbpf load: ${missing}: No such file or directory\n`);
  assert.deepEqual(JSON.parse(file.stdout), {
    type: "error",
    message: `${missing}: No such file or directory`,
    code: "ENOENT",
  });

  const usage = tsbpf(["count", "--bogus", "--json"]);
  assert.equal(usage.code, 2);
  assert.deepEqual(JSON.parse(usage.stdout), { type: "error", message: "unknown option --bogus", code: "usage" });

  const bad = join(dir, "bad.bpf.ts");
  writeFileSync(bad, `import { xdp } from "${KERNEL}";\nexport const p = xdp(() => { throw 1; });\n`);
  const compile = tsbpf(["compile", bad, "--json"]);
  assert.equal(compile.code, 1);
  assert.equal(
    compile.stderr,
    `${bad}:2:30: error: throw is not in the subset: eBPF has no exceptions (return an error code)\n`,
  );
  const record = JSON.parse(compile.stdout) as {
    type: string;
    code: string;
    message: string;
    diagnostics: { line: number; column: number }[];
  };
  assert.equal(record.type, "error");
  assert.equal(record.code, "CompileError");
  assert.equal(record.message, compile.stderr.trim());
  assert.deepEqual(
    record.diagnostics.map((d) => [d.line, d.column]),
    [[2, 30]],
  );
});
