// The target instruction set against the kernel: the same signed division / modulo / sign
// extension / compare program compiled for v1, v2, v3 and v4 loads here and gives, with
// BPF_PROG_TEST_RUN over edge-case inputs, the same results on every target — the ones eBPF
// defines (v4's sdiv/smod semantics) — and probing finds this kernel's v4.
import { test } from "node:test";
import assert from "node:assert/strict";
import { compileModule } from "../../src/compiler/compile.js";
import { probeKernelCpu, resolveCpu, type CpuVersion } from "../../src/compiler/target.js";
import { KernelObject } from "../../src/loader/kernel-object.js";
import { testRun } from "../../src/programs/test-run.js";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { release, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { decode, instructionIsa } from "../../src/asm/index.js";
import { frame, ipv4, repoRoot, virtualFile } from "../helpers/compiler-helpers.js";
import { ROOT_WITHOUT_CAPABILITIES } from "../helpers/tool-process.js";
import { ISA_PROGRAM, ISA_SLOTS, isaExpected, isaInputs, isaPacket } from "../helpers/isa-program.js";

const CPUS: CpuVersion[] = ["v1", "v2", "v3", "v4"];

// v4 (sdiv/smod, sign-extending loads, 32-bit jumps) arrived in Linux 6.6; older kernels — 6.1
// LTS, run by `npm run test:kernels` — accept up to v3.
const [major, minor] = release().split(".").map(Number) as [number, number];
const KERNEL_CPU: CpuVersion = major > 6 || (major === 6 && minor >= 6) ? "v4" : "v3";

test("probing finds what this kernel accepts (v4 from Linux 6.6, v3 before), once per process, and compiles for it by default", async (t) => {
  const probed = probeKernelCpu();
  assert.deepEqual(probed, { cpu: KERNEL_CPU, isa: Number(KERNEL_CPU.slice(1)), source: "probe" });
  assert.equal(resolveCpu(), resolveCpu("probe"), "cached");
  const m = await compileModule(virtualFile("isa-probe"), { source: ISA_PROGRAM });
  assert.equal(m.artifact.cpu, KERNEL_CPU);
  t.diagnostic(`kernel: probed ${probed.cpu}`);
  assert.equal(m.target.source, "probe");
});

test("v1…v4 compiles of signed division, modulo, extension and compares load where the kernel accepts them and agree with eBPF's results", async (t) => {
  const objects: KernelObject[] = [];
  const loadable = CPUS.filter((cpu) => cpu <= KERNEL_CPU);
  try {
    for (const cpu of CPUS) {
      const m = await compileModule(virtualFile(`isa-${cpu}`), { source: ISA_PROGRAM, cpu });
      if (loadable.includes(cpu)) objects.push(KernelObject.load(m.artifact));
      else assert.throws(() => KernelObject.load(m.artifact).close(), `${cpu} is refused by a kernel before 6.6`);
    }
    const inputs = isaInputs();
    for (const input of inputs) {
      const expected = isaExpected(input);
      objects.forEach((obj, k) => {
        assert.equal(testRun(obj.programs.p!, { data: isaPacket(input) }).retval, 2, `${loadable[k]}: XDP_PASS`);
        const out = obj.maps.out as unknown as { get(i: number): bigint };
        const got = Array.from({ length: ISA_SLOTS }, (_, i) => out.get(i));
        assert.deepEqual(got, expected, `${loadable[k]} on ${JSON.stringify(input, (_, v) => String(v))}`);
      });
    }
  } finally {
    for (const obj of objects) obj.close();
  }
  const refused = CPUS.filter((cpu) => !loadable.includes(cpu));
  t.diagnostic(
    `kernel: ${loadable.join(", ")} load and agree${refused.length ? `; ${refused.join(", ")} refused` : ""}`,
  );
});

const MAIN = fileURLToPath(new URL("../../bin/tsbpf.js", import.meta.url));
const COUNTER = join(repoRoot, "examples", "kernel", "xdp-counter.bpf.ts");

function tsbpf(args: string[], wrap: readonly string[] = []): { code: number | null; stdout: string; stderr: string } {
  const [cmd, ...pre] = wrap.length ? [...wrap, process.execPath] : [process.execPath];
  const r = spawnSync(cmd!, [...pre, MAIN, ...args], { encoding: "utf8", timeout: 120_000 });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("tsbpf compile --cpu: the artifact and --json name the target; run --cpu compiles for it", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-cpu-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const out = join(dir, "counter.bpf.json");
  const compiled = tsbpf(["compile", COUNTER, "--cpu", "v2", "-o", out]);
  assert.equal(compiled.code, 0, compiled.stderr);
  assert.match(compiled.stdout, /^wrote .*counter\.bpf\.json \(1 program, cpu v2, \d+ ms\)\n$/);
  const artifact = JSON.parse(readFileSync(out, "utf8")) as { cpu: string; programs: { insns: string }[] };
  assert.equal(artifact.cpu, "v2");
  const above = decode(Buffer.from(artifact.programs[0]!.insns, "base64")).filter((i) => instructionIsa(i) > 2);
  assert.deepEqual(above, []);
  const json = tsbpf(["compile", COUNTER, "--json"]);
  assert.equal(json.code, 0, json.stderr);
  const record = JSON.parse(json.stdout) as { cpu: string; cpu_source: string };
  assert.deepEqual([record.cpu, record.cpu_source], [KERNEL_CPU, "probe"]);
  const packet = join(dir, "frame.bin");
  writeFileSync(packet, frame(0x0800, ipv4(17, "10.0.0.1", "10.0.0.2")));
  const run = tsbpf(["run", COUNTER, "--cpu", "v1", "--data", packet, "--json"]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal((JSON.parse(run.stdout) as { retval: number }).retval, 2);
  const already = tsbpf(["run", out, "--cpu", "v1"]);
  assert.equal(already.code, 2);
  assert.match(already.stderr, /^tsbpf run: --cpu chooses how kernel TypeScript compiles; .* is already compiled\n/);
});

test("without the right to load programs, probing falls back to v3 and says so", (t) => {
  if (readFileSync("/proc/sys/kernel/unprivileged_bpf_disabled", "utf8").trim() === "0")
    return t.skip("unprivileged eBPF is enabled here: a process without capabilities can still probe");
  const r = tsbpf(["compile", COUNTER, "--json"], ROOT_WITHOUT_CAPABILITIES);
  assert.equal(r.code, 0, r.stderr);
  const record = JSON.parse(r.stdout) as { cpu: string; cpu_source: string; cpu_note: string };
  assert.equal(record.cpu, "v3");
  assert.equal(record.cpu_source, "fallback");
  assert.match(record.cpu_note, /^cannot probe the kernel's instruction set \(BPF_PROG_LOAD: EPERM\); compiled for v3/);
  assert.match(r.stderr, /^tsbpf: note: cannot probe the kernel's instruction set .* \(v4 needs Linux 6\.6\)\n$/);
});
