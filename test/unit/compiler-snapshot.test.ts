// `tsbpf compile` from the compiler's start-up snapshot (src/compiler/snapshot.ts): the first compile
// builds it in the background, the next ones run from it and give the same object and the same
// diagnostics; a snapshot Node cannot read is dropped and the compile still succeeds.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";

/** The compiled output this file runs from (dist). */
const dist = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const bin = join(dist, "bin", "tsbpf.js");
const example = join(dist, "..", "examples", "kernel", "xdp-counter.bpf.ts");

function tsbpf(env: NodeJS.ProcessEnv, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { env, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The cache directory's snapshot files once no build is running (the build is detached). */
async function settledSnapshots(cache: string): Promise<string[]> {
  for (let waited = 0; waited < 180_000; waited += 200) {
    const names = existsSync(cache) ? readdirSync(cache).filter((n) => n.startsWith("compiler-")) : [];
    if (!names.some((n) => !n.endsWith(".blob"))) return names;
    await sleep(200);
  }
  throw new Error("the snapshot build did not finish in 3 minutes");
}

test("tsbpf compile builds the compiler snapshot, then compiles from it with the same results", async (t) => {
  const tmp = mkdtempSync(join(tmpdir(), "tsbpf-snapshot-"));
  t.after(() => rmSync(tmp, { recursive: true, force: true }));
  const env = { ...process.env, TMPDIR: tmp, TSBPF_COMPILER_SNAPSHOT: "" };
  const cache = join(tmp, `tsbpf-code-cache-${process.getuid!()}`);

  const first = tsbpf(env, "compile", example, "--cpu", "v4", "-o", join(tmp, "first.o"));
  assert.equal(first.status, 0, first.stderr);
  const blobs = await settledSnapshots(cache);
  assert.equal(blobs.length, 1, `one snapshot in the cache directory, found: ${blobs.join(", ")}`);
  const blob = join(cache, blobs[0]!);
  assert.equal(statSync(blob).mode & 0o777, 0o600);

  const second = tsbpf(env, "compile", example, "--cpu", "v4", "-o", join(tmp, "second.o"));
  assert.equal(second.status, 0, second.stderr);
  assert.deepEqual(readFileSync(join(tmp, "second.o")), readFileSync(join(tmp, "first.o")));
  assert.match(second.stdout, /^wrote .*second\.o \(1 program, cpu v4, \d+ ms\)$/m);

  // Type errors and the subset's messages, from the snapshot and without it.
  const bad = join(tmp, "bad.bpf.ts");
  writeFileSync(
    bad,
    `import { xdp } from ${JSON.stringify(join(dist, "src", "kernel", "index.js"))};\nexport const p = xdp(() => {\n  var x: u32 = 1;\n  return 0;\n});\n`,
  );
  const fromSnapshot = tsbpf(env, "compile", bad, "--cpu", "v4");
  const inProcess = tsbpf({ ...env, TSBPF_COMPILER_SNAPSHOT: "0" }, "compile", bad, "--cpu", "v4");
  assert.equal(fromSnapshot.status, 1);
  assert.equal(inProcess.status, 1);
  assert.match(fromSnapshot.stderr, /bad\.bpf\.ts:3:10: error: Cannot find name 'u32'/);
  assert.equal(fromSnapshot.stderr, inProcess.stderr);

  // A damaged snapshot: the command notices, compiles anyway, and drops it (a new one is built).
  writeFileSync(blob, Buffer.alloc(4096, 0x5a), { mode: 0o600 });
  const damaged = tsbpf(env, "compile", example, "--cpu", "v4", "-o", join(tmp, "third.o"));
  assert.equal(damaged.status, 0, damaged.stderr);
  assert.deepEqual(readFileSync(join(tmp, "third.o")), readFileSync(join(tmp, "first.o")));
  const rebuilt = await settledSnapshots(cache);
  assert.equal(rebuilt.length, 1);
  assert.ok(statSync(blob).size > 1_000_000, "the damaged snapshot was replaced by a new build");
});
