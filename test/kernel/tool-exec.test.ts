// `tsbpf exec`, run for real: the built CLI traces the processes this test spawns (other helpers'
// processes run on the machine too, so every check picks the test's own by pid or by a marker).
// Arguments intact, PID/PPID/UID, failed execs with -x, the filters, the truncation markers,
// --json, --metrics scraped and parsed, SIGKILL leaving nothing attached; ExecTracer in process.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { reopenProgram } from "../../src/programs/net-common.js";
import { parseExposition } from "../../src/tools/common/metrics.js";
import { nonSnakeCaseKeys } from "../../src/tools/common/ndjson.js";
import { ExecTracer, loadExecObject, MAX_ARG_BYTES, MAX_ARGS, type ExecEvent } from "../../src/tools/exec/index.js";
import { toolArtifact } from "../../src/tools/common/kernel-artifact.js";
import { closeFd } from "../../src/sys/bpf.js";
import { resolveCore, withResolvedCore } from "../../src/tools/common/core-cache.js";
import { KIND_ARGS_END, KIND_RENAME, KIND_RESULT, RECORD_OFFSETS } from "../../src/tools/exec/tracer.js";
import { ResultRecord, RenameRecord, StringRecord } from "../../src/tools/exec/exec.bpf.js";
import { commandExists, ndjsonRecords, runTool, ToolProcess, UNPRIVILEGED } from "../helpers/tool-process.js";

type Rec = Record<string, unknown>;

function start(t: { after(fn: () => void): void }, args: string[]): ToolProcess {
  const tool = ToolProcess.start(["exec", ...args]);
  t.after(() => {
    if (tool.running) tool.kill("SIGKILL");
  });
  return tool;
}

async function started(tool: ToolProcess, json: boolean): Promise<void> {
  if (json) await tool.waitFor((p) => ndjsonRecords(p.stdout)[0]?.type === "start", "the start record");
  else await tool.waitFor((p) => p.stderr.includes("attached tracepoint"), "the attach message");
}

/** Runs `file args…` to completion; returns its pid. */
function run(file: string, args: string[], wrap: string[] = []): number {
  const argv = [...wrap, file, ...args];
  const r = spawnSync(argv[0]!, argv.slice(1), { stdio: "ignore" });
  assert.ok(r.pid && r.pid > 0, `spawned ${argv[0]}`);
  return r.pid!;
}

const execRecords = (tool: ToolProcess): Rec[] => ndjsonRecords(tool.stdout).filter((r) => r.type === "exec");

function waitForExec(tool: ToolProcess, match: (r: Rec) => boolean, what: string): Promise<Rec> {
  return tool.waitFor((p) => execRecords(p).find(match), what);
}

async function stop(tool: ToolProcess): Promise<Rec[]> {
  tool.kill("SIGTERM");
  assert.deepEqual(await tool.exit(), { code: 0, signal: null }, tool.stderr);
  return ndjsonRecords(tool.stdout);
}

const marker = (tag: string): string => `tsbpf-exec-test-${tag}-${process.pid}-${Date.now()}`;

test("exec --json: 30 arguments of 100 characters arrive intact, with PID, PPID and UID; setpriv's uid shows", async (t) => {
  const tool = start(t, ["--json"]);
  await started(tool, true);
  const tag = marker("long");
  const args = Array.from({ length: 30 }, (_, i) =>
    `${tag}-${String(i).padStart(2, "0")}-`.padEnd(100, String.fromCharCode(97 + (i % 26))),
  );
  const pid = run("/bin/true", args);
  const e = await waitForExec(tool, (r) => r.pid === pid && r.comm === "true", "the 30-argument exec");
  assert.deepEqual(e.args, ["/bin/true", ...args]);
  assert.equal(e.filename, "/bin/true");
  assert.equal(e.ppid, process.pid);
  assert.equal(e.uid, 0);
  assert.equal(e.ret, 0);
  assert.equal(e.errno, null);
  assert.deepEqual(e.truncated_args, []);
  assert.equal(e.args_truncated, false);
  assert.equal(e.incomplete, false);
  assert.equal(e.command, ["/bin/true", ...args].join(" "));
  assert.ok(Math.abs(Date.parse(e.time as string) - Date.now()) < 10_000, `time ${String(e.time)}`);

  if (commandExists("setpriv")) {
    const upid = run("/bin/true", [tag, "as-nobody"], ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]);
    const u = await waitForExec(tool, (r) => r.pid === upid && r.comm === "true", "the exec as uid 65534");
    assert.equal(u.uid, 65534);
    assert.equal(u.ppid, process.pid);
    assert.deepEqual(u.args, ["/bin/true", tag, "as-nobody"]);
    // setpriv itself was exec'd by root in the same process first.
    assert.ok(execRecords(tool).some((r) => r.pid === upid && r.comm === "setpriv" && r.uid === 0));
  }
  const records = await stop(tool);
  for (const r of records)
    assert.deepEqual(nonSnakeCaseKeys(r), [], `snake_case fields in ${JSON.stringify(r).slice(0, 200)}`);
  assert.equal(records[0]!.type, "start");
  const summary = records.at(-1)!;
  assert.equal(summary.type, "summary");
  assert.equal(summary.stopped_by, "SIGTERM");
  assert.ok((summary.execs as number) >= 1 && (summary.shown as number) >= 1);
});

test("exec -x shows a failed exec with RET -2 (ENOENT); without -x it is not shown", async (t) => {
  const withX = start(t, ["-x"]);
  const withoutX = start(t, ["--json"]);
  const alsoJson = start(t, ["-x", "--json"]);
  await Promise.all([started(withX, false), started(withoutX, true), started(alsoJson, true)]);
  const missing = `/nonexistent-${marker("missing")}`;
  const pid = run("/usr/bin/env", [missing]);
  const failed = await waitForExec(alsoJson, (r) => r.pid === pid && r.ret !== 0, "the failed exec");
  assert.equal(failed.ret, -2);
  assert.equal(failed.errno, "ENOENT");
  assert.equal(failed.comm, "env");
  assert.equal(failed.filename, missing);
  assert.deepEqual(failed.args, [missing]);
  // The human table: TIME PCOMM PID PPID UID RET ARGS.
  const line = await withX.waitFor(
    (p) => p.stdout.split("\n").find((l) => l.endsWith(` -2 ${missing}`)),
    "the failed exec's line",
  );
  assert.match(line, new RegExp(`^\\d\\d:\\d\\d:\\d\\d +env +${pid} +${process.pid} +0 +-2 ${missing}$`));
  assert.match(withX.stdout, /^TIME +PCOMM +PID +PPID +UID +RET ARGS$/m);
  // env's own (successful) exec is in both; the failure only with -x.
  await waitForExec(withoutX, (r) => r.pid === pid && r.comm === "env", "env's exec");
  await new Promise((r) => setTimeout(r, 300));
  assert.ok(!execRecords(withoutX).some((r) => r.ret !== 0), "no failed exec without -x");
  await stop(withoutX);
  await stop(alsoJson);
  withX.kill("SIGINT");
  assert.deepEqual(await withX.exit(), { code: 0, signal: null }, withX.stderr);
  assert.match(
    withX.stdout,
    /^summary: \d+ execs \(\d+ failed\), \d+ shown, in .* \(stopped by SIGINT at .*\); detached$/m,
  );
});

test("exec --name and --uid: only the matching execs", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-exec-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const probe = join(dir, "tsbpfprobe");
  copyFileSync("/bin/true", probe);
  spawnSync("chmod", ["755", dir, probe]);
  const byName = start(t, ["--name", "^tsbpfpro", "--json"]);
  const byUid = start(t, ["--uid", "65534", "--json"]);
  await Promise.all([started(byName, true), started(byUid, true)]);
  const tag = marker("filter");
  const plain = run("/bin/true", [tag]);
  const named = run(probe, [tag]);
  const nobody = commandExists("setpriv")
    ? run(probe, [tag, "nobody"], ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"])
    : undefined;
  await waitForExec(byName, (r) => r.pid === named, "the probe's exec");
  if (nobody !== undefined) {
    await waitForExec(byName, (r) => r.pid === nobody && r.comm === "tsbpfprobe", "the probe's exec as nobody");
    const u = await waitForExec(byUid, (r) => r.pid === nobody, "the exec as uid 65534");
    assert.equal(u.comm, "tsbpfprobe");
  }
  await new Promise((r) => setTimeout(r, 300));
  const names = await stop(byName);
  const uids = await stop(byUid);
  assert.ok(
    execRecords(byName).every((r) => /^tsbpfpro/.test(r.comm as string)),
    "--name shows only matching PCOMMs",
  );
  assert.ok(!execRecords(byName).some((r) => r.pid === plain));
  assert.ok(
    execRecords(byUid).every((r) => r.uid === 65534),
    "--uid shows only that uid",
  );
  assert.ok(!execRecords(byUid).some((r) => r.pid === plain || r.pid === named));
  assert.equal(names[0]!.name, "^tsbpfpro");
  assert.equal(uids[0]!.uid, 65534);
});

test("exec: beyond the limits, a cut argument ends in ... and a cut argument list too", async (t) => {
  const json = start(t, ["--json"]);
  const human = start(t, ["-q"]);
  await Promise.all([started(json, true), started(human, false)]);
  const tag = marker("limits");
  const long = `${tag}-`.padEnd(5000, "z");
  const exact = "e".repeat(MAX_ARG_BYTES);
  const many = Array.from({ length: MAX_ARGS + 10 }, (_, i) => `a${i}`);
  const pid = run("/bin/true", [long, exact, ...many]);
  const e = await waitForExec(json, (r) => r.pid === pid && r.comm === "true", "the long exec");
  const args = e.args as string[];
  assert.equal(args.length, MAX_ARGS);
  assert.equal(args[1], long.slice(0, MAX_ARG_BYTES));
  assert.equal(args[2], exact, "an argument of exactly the limit is whole");
  assert.deepEqual(args.slice(3), many.slice(0, MAX_ARGS - 3));
  assert.deepEqual(e.truncated_args, [1]);
  assert.equal(e.args_truncated, true);
  assert.ok((e.command as string).endsWith(` a${MAX_ARGS - 4} ...`));
  assert.ok((e.command as string).includes(`${long.slice(0, MAX_ARG_BYTES)}... ${exact} a0 `));
  const line = await human.waitFor((p) => p.stdout.split("\n").find((l) => l.includes(tag)), "the long exec's line");
  assert.ok(line.includes(`"${long.slice(0, MAX_ARG_BYTES)}"... "${exact}" "a0"`), line.slice(0, 200));
  assert.ok(line.endsWith(`"a${MAX_ARGS - 4}" ...`), line.slice(-100));
  await stop(json);
  human.kill("SIGTERM");
  await human.exit();
});

test("exec --metrics: /metrics parses; exec counters by result, failures by errno, no pid labels", async (t) => {
  const tool = start(t, ["--metrics", "127.0.0.1:0", "--json"]);
  const url = await tool.waitFor(
    (p) => /serving Prometheus metrics on (http:\/\/127\.0\.0\.1:\d+\/metrics)/.exec(p.stderr)?.[1],
    "the metrics address",
  );
  await started(tool, true);
  const scrape = async (): Promise<ReturnType<typeof parseExposition>> => {
    const r = await fetch(url);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
    return parseExposition(await r.text());
  };
  const value = (f: ReturnType<typeof parseExposition>, name: string, labels: Record<string, string> = {}): number =>
    f.get(name)?.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value ?? 0;
  const before = await scrape();
  const tag = marker("metrics");
  const pids = [run("/bin/true", [tag]), run("/bin/true", [tag]), run("/usr/bin/env", [`/nonexistent-${tag}`])];
  for (const pid of pids) await waitForExec(tool, (r) => r.pid === pid, `exec ${pid}`);
  // env's own exec is seen before its failing one: scrape until the failure is counted too.
  let after = await scrape();
  const failedBefore = value(before, "tsbpf_exec_total", { result: "failed" });
  for (let i = 0; i < 50 && value(after, "tsbpf_exec_total", { result: "failed" }) <= failedBefore; i++) {
    await new Promise((r) => setTimeout(r, 100));
    after = await scrape();
  }
  assert.ok(
    value(after, "tsbpf_exec_total", { result: "ok" }) - value(before, "tsbpf_exec_total", { result: "ok" }) >= 3,
  );
  assert.ok(
    value(after, "tsbpf_exec_total", { result: "failed" }) - value(before, "tsbpf_exec_total", { result: "failed" }) >=
      1,
  );
  assert.ok(value(after, "tsbpf_exec_failures_total", { errno: "ENOENT" }) >= 1);
  assert.equal(after.get("tsbpf_exec_total")?.type, "counter");
  assert.equal(after.get("tsbpf_exec_ring_drops_total")?.type, "counter");
  assert.equal(after.get("tsbpf_exec_start_time_seconds")?.type, "gauge");
  for (const family of after.values()) {
    assert.equal(family.type === "counter", family.name.endsWith("_total"), family.name);
    assert.ok(family.help && family.help.length > 10, `${family.name} has HELP`);
    for (const s of family.samples)
      for (const label of Object.keys(s.labels)) assert.doesNotMatch(label, /pid|port|comm|uid/);
  }
  await stop(tool);
});

test("exec killed with SIGKILL leaves nothing attached", async (t) => {
  const tool = start(t, ["--json"]);
  await started(tool, true);
  const ids = (ndjsonRecords(tool.stdout)[0]!.programs as Rec[]).map((p) => p.id as number);
  assert.equal(ids.length, 4);
  assert.equal((ndjsonRecords(tool.stdout)[0]!.attachments as Rec[]).length, 5);
  for (const id of ids) {
    const fd = reopenProgram(id);
    assert.ok(fd >= 0, `program ${id} loaded`);
    closeFd(fd);
  }
  tool.kill("SIGKILL");
  assert.deepEqual(await tool.exit(), { code: null, signal: "SIGKILL" });
  let alive = ids;
  for (let i = 0; i < 150 && alive.length; i++) {
    alive = alive.filter((id) => {
      const fd = reopenProgram(id);
      if (fd >= 0) closeFd(fd);
      return fd >= 0;
    });
    if (alive.length) await new Promise((r) => setTimeout(r, 20));
  }
  assert.deepEqual(alive, [], "every program (and with it its perf link) is gone");
});

test("exec usage errors exit 2", () => {
  for (const args of [["--uid", "x"], ["--count", "0"], ["--metrics", "1.2.3.4:70000"], ["extra"], ["--name", ""]]) {
    const r = runTool(["exec", ...args]);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, /^tsbpf exec: .+\nsee "tsbpf exec --help"\n$/);
  }
});

test("ExecTracer in process: the async iterator yields decoded execs; close() ends it; record layouts match exec.bpf.ts", async () => {
  for (const [codec, offsets] of [
    [StringRecord, RECORD_OFFSETS.string],
    [RenameRecord, RECORD_OFFSETS.rename],
    [ResultRecord, RECORD_OFFSETS.result],
  ] as const) {
    for (const [field, at] of Object.entries(offsets))
      assert.equal((codec as unknown as { offsetOf(f: string): number }).offsetOf(field), at, field);
  }
  const tracer = ExecTracer.open();
  const tag = marker("iter");
  const seen: ExecEvent[] = [];
  const iterating = (async () => {
    for await (const e of tracer) {
      if (e.args.includes(tag)) {
        seen.push(e);
        if (seen.length === 2) break;
      }
    }
  })();
  const pids = [run("/bin/true", [tag, "one"]), run("/bin/echo", [tag, "two"])];
  await Promise.race([iterating, new Promise((_, reject) => setTimeout(() => reject(new Error("no events")), 10_000))]);
  assert.deepEqual(
    seen.map((e) => [e.pid, e.comm, e.ppid, e.ret]),
    [
      [pids[0], "true", process.pid, 0],
      [pids[1], "echo", process.pid, 0],
    ],
  );
  assert.equal(seen[0]!.time instanceof Date, true);
  // A pending iteration ends when the tracer closes.
  const rest = (async () => {
    let n = 0;
    for await (const _ of tracer.events()) n++;
    return n;
  })();
  tracer.close();
  assert.equal(typeof (await rest), "number");
  assert.equal(tracer.closed, true);
});

test("ExecTracer: a lone exec wakes the reader (no record forces a wake-up: the path and the result ask for the default rule)", async (t) => {
  if (!commandExists("setpriv")) return t.skip("setpriv is missing");
  // The uid filter leaves only this test's exec in the ring: nothing else wakes the reader.
  const LONE_UID = 54321;
  const tracer = ExecTracer.open({ uid: LONE_UID });
  t.after(() => tracer.close());
  const tag = marker("lone");
  const seen: ExecEvent[] = [];
  const iterating = (async () => {
    for await (const e of tracer) {
      seen.push(e);
      if (e.args.includes(tag)) break;
    }
  })();
  const wrap = ["setpriv", `--reuid=${LONE_UID}`, `--regid=${LONE_UID}`, "--clear-groups"];
  const pid = run("/bin/true", [tag], wrap);
  await Promise.race([
    iterating,
    new Promise((_, reject) => setTimeout(() => reject(new Error("the lone exec never woke the reader")), 10_000)),
  ]);
  assert.deepEqual(
    seen.map((e) => [e.pid, e.uid, e.comm, e.args, e.incomplete]),
    [[pid, LONE_UID, "true", ["/bin/true", tag], false]],
  );
});

test("exec: after a drain that ends at an exec's last entry record, its rename record wakes the reader", async (t) => {
  // The system's python (one found through PATH may live where the test's uid cannot read).
  const python = "/usr/bin/python3";
  if (!commandExists("setpriv") || !existsSync(python)) return t.skip(`setpriv or ${python} is missing`);
  // Only this test's execs are in the ring (uid filter). A thread other than the leader execs:
  // between its entry records and its result the kernel sends a rename record, after it copied
  // the arguments (1.3 MB of them: a millisecond or so) and loaded the binary. The test drains
  // exactly through the end of the entry records and sleeps: the rename record must wake it (a
  // record that skipped the ring's wake-up rule would leave the reader asleep past the result,
  // and past every later exec).
  const LONE_UID = 54322;
  const tracer = ExecTracer.open({ uid: LONE_UID });
  t.after(() => tracer.close());
  const script = `import os, threading, time
threading.Thread(target=lambda: (time.sleep(0.3), os.execv("/bin/true", ["/bin/true"] + ["x" * 65536] * 20))).start()
time.sleep(30)`;
  const wrap = ["setpriv", `--reuid=${LONE_UID}`, `--regid=${LONE_UID}`, "--clear-groups"];
  // The drain must end before the rename record is written; if it was already there, try again.
  for (let attempt = 0; attempt < 5; attempt++) {
    const child = spawn(wrap[0]!, [...wrap.slice(1), python, "-c", script], { stdio: "ignore" });
    const exited = new Promise((resolve) => child.once("exit", resolve));
    // Spin, record by record, until the thread's end-of-arguments record was read (python's own
    // exec is the leader's: its thread id is the pid).
    let threadId = 0;
    const deadline = Date.now() + 10_000;
    while (threadId === 0 && Date.now() < deadline) {
      tracer.ring.consume((rec) => {
        if (rec.u32(0) !== KIND_ARGS_END || rec.u32(4) === child.pid) return true;
        threadId = rec.u32(4);
        return false;
      });
    }
    assert.ok(threadId > 0, "the thread's exec was seen");
    const raced = tracer.ring.pendingBytes > 0;
    const woken = await Promise.race([
      tracer.ring.wait(),
      new Promise<string>((resolve) => setTimeout(() => resolve("asleep"), 10_000)),
    ]);
    assert.equal(woken, true, "the rename record woke the reader");
    child.kill("SIGKILL");
    await exited;
    const records: number[][] = [];
    tracer.ring.consume((rec) => void records.push([rec.u32(0), rec.u32(4), rec.u32(8)]));
    assert.deepEqual(records.slice(0, 2), [
      [KIND_RENAME, child.pid, threadId],
      [KIND_RESULT, child.pid, child.pid],
    ]);
    if (!raced) return;
  }
  t.skip("the rename record came before every drain ended");
});

test("ExecTracer decodes arguments as UTF-8: ASCII and not, short and long, invalid bytes as U+FFFD", async (t) => {
  const tracer = ExecTracer.open();
  t.after(() => tracer.close());
  const tag = marker("utf8");
  const longAscii = "a".repeat(200);
  const longUtf8 = "é".repeat(100);
  const seen: ExecEvent[] = [];
  const iterating = (async () => {
    for await (const e of tracer) {
      if (e.comm === "true" && e.args.includes(tag)) {
        seen.push(e);
        break;
      }
    }
  })();
  // printf writes the bytes FF FE, which are not UTF-8.
  const script = `exec /bin/true ${tag} "déjà vu" '${longAscii}' '${longUtf8}' "$(printf '\\377\\376x')" "tab\there"`;
  const pid = run("/bin/sh", ["-c", script]);
  await Promise.race([
    iterating,
    new Promise((_, reject) => setTimeout(() => reject(new Error("the exec was not seen")), 10_000)),
  ]);
  assert.equal(seen[0]!.pid, pid);
  assert.deepEqual(seen[0]!.args, ["/bin/true", tag, "déjà vu", longAscii, longUtf8, "\ufffd\ufffdx", "tab\there"]);
});

test("CO-RE cache: the exec artifact's relocations resolve once, are read back the same, and a cache others can write is ignored", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-core-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const artifact = toolArtifact("exec/exec.bpf.json");
  assert.ok(
    artifact.programs.some((p) => p.core?.length),
    "the exit program reads task fields by name (CO-RE)",
  );
  const cacheDir = join(dir, "core");
  const first = withResolvedCore(artifact, cacheDir);
  assert.equal(readdirSync(cacheDir).length, 1);
  const second = withResolvedCore(artifact, cacheDir);
  const direct = resolveCore(artifact);
  for (const a of [first, second]) {
    assert.ok(a.programs.every((p) => !p.core?.length));
    assert.deepEqual(
      a.programs.map((p) => p.insns),
      direct.programs.map((p) => p.insns),
    );
  }
  // A cache entry planted in a directory others can write is not trusted.
  const entry = join(cacheDir, readdirSync(cacheDir)[0]!);
  const planted = JSON.parse(readFileSync(entry, "utf8")) as Record<string, string>;
  for (const k of Object.keys(planted))
    planted[k] = Buffer.alloc(Buffer.from(planted[k]!, "base64").length).toString("base64");
  writeFileSync(entry, JSON.stringify(planted));
  chmodSync(cacheDir, 0o777);
  assert.deepEqual(
    withResolvedCore(artifact, cacheDir).programs.map((p) => p.insns),
    direct.programs.map((p) => p.insns),
  );
  // The tracer loads from it (the default cache) and runs.
  using object = loadExecObject();
  assert.ok(object.programs.exitExec.fd > 0);
});

test("exec without privileges says which capabilities are missing, exit 1", () => {
  const r = runTool(["exec"], { wrap: UNPRIVILEGED });
  assert.equal(r.code, 1, r.stderr);
  assert.equal(
    r.stderr,
    "tsbpf exec: missing privileges: exec needs CAP_BPF, CAP_PERFMON and read access to tracefs (/sys/kernel/tracing: root, or CAP_DAC_READ_SEARCH); missing here: CAP_BPF and CAP_PERFMON (run it as root, or with those capabilities)\n",
  );
});

test("exec loads its object through KernelObject without the TypeScript compiler; the uid filter is a constant", () => {
  const dist = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..");
  const script = `
    const { loadExecObject } = await import(${JSON.stringify(join(dist, "src/tools/exec/index.js"))});
    const object = loadExecObject({ uid: 1234 });
    const constants = [object.global("filterUid"), object.global("uid")];
    const programs = Object.keys(object.programs).sort();
    object.close();
    const { createRequire } = await import("node:module");
    const typescript = Object.keys(createRequire(import.meta.url).cache).filter((k) => k.includes("/typescript/"));
    process.stdout.write(JSON.stringify({ constants, programs, typescript }));`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), {
    constants: [1, 1234],
    programs: ["enterExecve", "enterExecveat", "execRename", "exitExec"],
    typescript: [],
  });
});
