// `tsbpf compile`, `tsbpf run` and `tsbpf gen-kernel`, run in-process with captured output.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/main.js";
import { isArtifact } from "../../src/compiler/artifact.js";
import { frame, ipv4, repoRoot } from "../helpers/compiler-helpers.js";

async function tsbpf(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = "",
    err = "";
  const code = await main(argv, {
    stdout: (s) => {
      out += s;
    },
    stderr: (s) => {
      err += s;
    },
    stdin: () => "",
  });
  return { code, out, err };
}

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-cli-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const COUNTER = join(repoRoot, "examples", "kernel", "xdp-counter.bpf.ts");

test("tsbpf compile prints each program and writes ELF objects and artifacts", async (t) => {
  const dir = tempDir(t);
  const summary = await tsbpf("compile", COUNTER);
  assert.equal(summary.code, 0, summary.err);
  assert.match(summary.out, /^count +xdp +\d+ insns +maps: etherTypes, ipProtocols$/m);
  const o = await tsbpf("compile", COUNTER, "-o", join(dir, "c.o"));
  assert.equal(o.code, 0, o.err);
  assert.deepEqual([...readFileSync(join(dir, "c.o")).subarray(0, 4)], [0x7f, 0x45, 0x4c, 0x46]);
  const j = await tsbpf("compile", COUNTER, "-o", join(dir, "c.json"), "--json");
  assert.equal(j.code, 0, j.err);
  assert.ok(isArtifact(JSON.parse(readFileSync(join(dir, "c.json"), "utf8"))));
  const line = JSON.parse(j.out.trim()) as { program: string; section: string; insns: number };
  assert.equal(line.program, "count");
  assert.equal(line.section, "xdp");
  assert.ok(line.insns > 20);
});

test("tsbpf compile reports every error as file:line:col and exits 1", async (t) => {
  const dir = tempDir(t);
  const file = join(dir, "bad.bpf.ts");
  writeFileSync(
    file,
    `import { xdp } from "${join(repoRoot, "src", "kernel", "index.js")}";\nexport const p = xdp(() => {\n  var x: u32 = 1;\n  return 0;\n});\n`,
  );
  const r = await tsbpf("compile", file, "-o", join(dir, "x.o"));
  assert.equal(r.code, 1);
  assert.match(
    r.err,
    new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}:3:10: error: Cannot find name 'u32'`, "m"),
  );
  assert.ok(!existsSync(join(dir, "x.o")));
  const usage = await tsbpf("compile", COUNTER, "-o", join(dir, "x.bin"));
  assert.equal(usage.code, 2);
});

test("tsbpf run runs kernel TypeScript, artifacts and ELF objects with test_run", async (t) => {
  const dir = tempDir(t);
  const data = join(dir, "packet.bin");
  writeFileSync(data, frame(0x0800, ipv4(6, "10.0.0.1", "10.0.0.2"), 64));
  const human = await tsbpf("run", COUNTER, "--data", data, "--repeat", "1000");
  assert.equal(human.code, 0, human.err);
  assert.match(human.out, /^retval +2 \(XDP_PASS\)$/m);
  assert.match(human.out, /^duration +\d+ ns per run \(1000 runs\)$/m);
  assert.match(human.out, /^data out +64 bytes \(unchanged\)$/m);
  await tsbpf("compile", COUNTER, "-o", join(dir, "c.json"));
  await tsbpf("compile", COUNTER, "-o", join(dir, "c.o"));
  for (const file of ["c.json", "c.o"]) {
    const r = await tsbpf("run", join(dir, file), "--program", "count", "--data", data, "--json");
    assert.equal(r.code, 0, r.err);
    const j = JSON.parse(r.out.trim()) as { program: string; retval: number; repeat: number; data_out: string };
    assert.equal(j.program, "count");
    assert.equal(j.retval, 2);
    assert.equal(j.repeat, 1);
    assert.equal(j.data_out, readFileSync(data).toString("hex"));
  }
  const missing = await tsbpf("run", COUNTER, "--program", "nope", "--data", data);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /no program "nope" in .* \(programs: count\)/);
});

test("tsbpf gen-kernel writes tracepoint and vmlinux declarations", async () => {
  const tp = await tsbpf("gen-kernel", "tracepoint", "sched:sched_process_exec", "--module", "tsbpf/kernel");
  assert.equal(tp.code, 0, tp.err);
  assert.match(tp.out, /declare module "tsbpf\/kernel"/);
  assert.match(tp.out, /"sched\/sched_process_exec": \{\n +filename: DataLoc;/);
  assert.match(tp.out, / pid: number;/);
  const vm = await tsbpf("gen-kernel", "vmlinux", "--event", "inet_sock_set_state", "--struct", "sock_common");
  assert.equal(vm.code, 0, vm.err);
  assert.match(vm.out, /interface sock_common \{/);
  assert.match(vm.out, / skc_dport: number;/);
  assert.match(vm.out, /inet_sock_set_state: \[arg0: sock, arg1: number, arg2: number\];/);
});
