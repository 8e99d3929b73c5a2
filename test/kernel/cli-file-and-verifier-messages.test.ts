// What a user reads when a file cannot be read or a program is refused: missing files,
// directories and another user's unreadable file (as root without CAP_DAC_OVERRIDE) in every
// command that reads one, and a verifier rejection with the verdict at its TypeScript line.
import { test } from "node:test";
import assert from "node:assert/strict";
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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
    assert.match(
      absent.stderr,
      new RegExp(`^tsbpf [a-z-]+: ${join(missing, "out")}\\.\\w+: No such file or directory\\n$`),
      what,
    );
    const directory = tsbpf(args(join(dir, "taken")));
    assert.equal(directory.code, 1, `${what}: ${directory.stderr}`);
    assert.match(
      directory.stderr,
      new RegExp(`^tsbpf [a-z-]+: ${join(dir, "taken")}\\.\\w+: Is a directory\\n$`),
      what,
    );
  }
});

test("a verifier rejection: the verdict at its TypeScript line; --verifier-log prints the whole log", (t) => {
  const dir = tempDir(t);
  const file = join(dir, "spin.bpf.ts");
  writeFileSync(
    file,
    `import { xdp, XDP_PASS, type u32 } from "${KERNEL}";

export const spin = xdp((ctx) => {
  let n: u32 = 0;
  while (n < ctx.len) {
    n = n * 1;
  }
  return XDP_PASS;
});
`,
  );
  const packet = join(dir, "packet.bin");
  writeFileSync(packet, Buffer.alloc(64));
  const run = tsbpf(["run", file, "--data", packet]);
  assert.equal(run.code, 1);
  assert.equal(run.stderr.split("\n").length, 2, `one line: ${run.stderr}`);
  assert.match(
    run.stderr,
    new RegExp(
      `^tsbpf run: ${file}:6:\\d+: program "spin" rejected by the verifier: infinite loop detected at insn \\d+ \\(\`n = n \\* 1;\`, instruction \\d+\\) \\(tsbpf run --verifier-log prints the whole log\\)\\n$`,
    ),
  );
  assert.doesNotMatch(run.stderr, /error\.log/);

  for (const command of [
    ["run", file, "--data", packet],
    ["compile", file],
  ]) {
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
