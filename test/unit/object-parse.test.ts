// The object model on its own (no kernel objects): sections to program types as libbpf names
// them, several programs per section, maps of every origin, global variables, externs,
// func_info/line_info following their code, and generated types.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import {
  BpfObjectFile,
  fillKconfig,
  internalMapName,
  kernelVersionCode,
  link,
  parseKernelConfig,
  sectionDef,
  ExternError,
} from "../../src/object/index.js";
import { generateTypes } from "../../src/loader/gen-types.js";
import { AttachType, MapFlags, MapType, ProgType } from "../../src/uapi.js";
import { corpusObject } from "../helpers/bpf-corpus.js";

const open = (name: string): BpfObjectFile =>
  BpfObjectFile.parse(readFileSync(corpusObject(name)), { file: `${name}.bpf.o`, name });

test("section names map to program types, expected attach types and targets like libbpf's table", () => {
  const obj = open("sections");
  const got = Object.fromEntries(
    obj.programs.map((p) => [p.name, [p.type, p.expectedAttachType, p.attachTarget ?? null]]),
  );
  const P = ProgType,
    A = AttachType;
  assert.deepEqual(got, {
    kp: [P.KPROBE, 0, "do_nanosleep"],
    krp: [P.KPROBE, 0, "do_nanosleep"],
    up: [P.KPROBE, 0, "/bin/true:main"],
    urp: [P.KPROBE, 0, null],
    tp_short: [P.TRACEPOINT, 0, "sched/sched_switch"],
    tp_long: [P.TRACEPOINT, 0, "sched/sched_process_fork"],
    rawtp_long: [P.RAW_TRACEPOINT, 0, "sched_switch"],
    tpbtf: [P.TRACING, A.TRACE_RAW_TP, "sched_switch"],
    it: [P.TRACING, A.TRACE_ITER, "task"],
    pe: [P.PERF_EVENT, 0, null],
    fe: [P.TRACING, A.TRACE_FENTRY, "do_unlinkat"],
    fx: [P.TRACING, A.TRACE_FEXIT, "do_unlinkat"],
    lsm_open: [P.LSM, A.LSM_MAC, "file_open"],
    sock: [P.SOCKET_FILTER, 0, null],
    tc_legacy: [P.SCHED_CLS, 0, null],
    tcx_in: [P.SCHED_CLS, A.TCX_INGRESS, "ingress"],
    xdp_frags: [P.XDP, A.XDP, null],
    cg_in: [P.CGROUP_SKB, A.CGROUP_INET_INGRESS, "ingress"],
    cg_conn: [P.CGROUP_SOCK_ADDR, A.CGROUP_INET4_CONNECT, "connect4"],
    sock_ops_prog: [P.SOCK_OPS, A.CGROUP_SOCK_OPS, null],
    skmsg: [P.SK_MSG, A.SK_MSG_VERDICT, null],
    sk_verdict: [P.SK_SKB, A.SK_SKB_STREAM_VERDICT, "stream_verdict"],
    flow: [P.FLOW_DISSECTOR, A.FLOW_DISSECTOR, null],
    lookup: [P.SK_LOOKUP, A.SK_LOOKUP, null],
    sys: [P.SYSCALL, 0, null],
  });
  assert.equal(obj.program("xdp_frags")!.frags, true);
  assert.equal(obj.program("sys")!.sleepable, true);
  // "type+" entries need a "/" after the prefix: "kprobex" is not a kprobe.
  assert.equal(sectionDef("kprobex"), undefined);
  assert.equal(sectionDef("kprobe")?.progType, ProgType.KPROBE);
  assert.equal(sectionDef("xdp/foo"), undefined, "plain entries match exactly");
  assert.equal(sectionDef("uprobe.s//bin/x:f")?.sleepable, true);
});

test("maps: BTF-defined (with inner maps and initial slots), pinning, ring buffers, legacy, global data", () => {
  const mim = open("mapinmap");
  const outer = mim.map("outer")!;
  assert.deepEqual([outer.type, outer.keySize, outer.valueSize, outer.maxEntries], [MapType.ARRAY_OF_MAPS, 4, 4, 4]);
  assert.deepEqual(outer.slots, [
    { index: 0, target: "inner_a" },
    { index: 2, target: "inner_b" },
  ]);
  assert.deepEqual(
    [outer.inner?.type, outer.inner?.keySize, outer.inner?.valueSize, outer.inner?.maxEntries],
    [MapType.ARRAY, 4, 4, 2],
  );
  assert.equal(mim.map("by_id")!.inner?.type, MapType.HASH);
  const tail = open("tailcall").map("jump_table")!;
  assert.deepEqual(tail.slots, [
    { index: 1, target: "tail_one" },
    { index: 2, target: "tail_two" },
  ]);
  const tracing = open("tracing");
  assert.equal(tracing.map("getuid_calls")!.pinning, "by_name");
  assert.deepEqual([tracing.map("events")!.type, tracing.map("events")!.maxEntries], [MapType.RINGBUF, 16384]);
  const legacy = open("legacy_maps");
  assert.deepEqual(
    legacy.maps.map((m) => [m.name, m.origin, m.type, m.keySize, m.valueSize, m.maxEntries, m.flags]),
    [
      ["legacy_counts", "legacy", MapType.ARRAY, 4, 8, 2, 0],
      ["legacy_hash", "legacy", MapType.HASH, 4, 4, 16, MapFlags.NO_PREALLOC],
    ],
  );
  const globals = open("globals");
  assert.deepEqual(
    globals.maps.map((m) => [m.name, m.kernelName, m.valueSize, m.flags]),
    [
      [".rodata", "globals.rodata", 21, MapFlags.RDONLY_PROG | MapFlags.MMAPABLE],
      [".bss", "globals.bss", 32, MapFlags.MMAPABLE],
      [".data", "globals.data", 12, MapFlags.MMAPABLE],
      [".data.custom", ".data.custom", 4, MapFlags.MMAPABLE],
    ],
  );
  assert.deepEqual(
    globals.variables.filter((v) => v.map === ".rodata").map((v) => [v.name, v.offset, v.size]),
    [
      ["verdict", 0, 4],
      ["magic_byte", 4, 1],
      ["greeting", 5, 16],
    ],
  );
  assert.deepEqual(
    [...globals.map(".data")!.data!],
    [0xfd, 0xff, 0xff, 0xff, 7, 0, 0, 0, 8, 0, 9, 0],
    "initial .data bytes",
  );
});

test("global data map names follow libbpf's rule", () => {
  assert.equal(internalMapName("my_object_name", ".rodata"), "my_objec.rodata");
  assert.equal(internalMapName("my_object_name", ".bss"), "my_objec.bss");
  assert.equal(internalMapName("my_object_name", ".kconfig"), "my_obje.kconfig");
  assert.equal(internalMapName("my_object_name", ".rodata.abracadabra"), ".rodata.abracad");
  assert.equal(internalMapName("x-y", ".data"), "x_y.data");
});

test("externs: .kconfig layout in libbpf's order, kfuncs as __ksym functions", () => {
  const obj = open("externs");
  assert.deepEqual(
    obj.externs.map((e) => [e.name, e.kind, e.kconfig?.offset ?? null, e.weak]),
    [
      ["CONFIG_BPF_JIT", "kconfig", 0, true],
      ["CONFIG_HZ", "kconfig", 4, false],
      ["LINUX_KERNEL_VERSION", "kconfig", 8, false],
      ["CONFIG_BPF_SYSCALL", "kconfig", 12, false],
      ["CONFIG_TSBPF_DOES_NOT_EXIST", "kconfig", 13, true],
      ["CONFIG_LOCALVERSION", "kconfig", 14, true],
      ["bpf_task_from_pid", "ksym", null, false],
      ["bpf_task_release", "ksym", null, false],
    ],
  );
  assert.equal(obj.map(".kconfig")!.kernelName, "externs.kconfig");
  const data = new Uint8Array(obj.map(".kconfig")!.valueSize);
  fillKconfig(obj, data, {
    config: parseKernelConfig(
      'CONFIG_BPF_JIT=m\nCONFIG_HZ=0x3e8\n# CONFIG_BPF_SYSCALL is not set\nCONFIG_LOCALVERSION="-test"\n',
    ),
    linux: { LINUX_KERNEL_VERSION: kernelVersionCode("6.18.300-foo") },
  });
  const v = Buffer.from(data);
  assert.deepEqual(
    [v.readUInt32LE(0), v.readInt32LE(4), v.readUInt32LE(8), v[12], v[13]],
    [2, 1000, (6 << 16) + (18 << 8) + 255, 0, 0],
  );
  assert.equal(v.toString("utf8", 14, 19), "-test");
  assert.throws(
    () => fillKconfig(obj, data, { config: new Map(), linux: {} }),
    (e: unknown) => e instanceof ExternError && /CONFIG_HZ/.test(e.message),
  );
  assert.throws(
    () =>
      fillKconfig(obj, data, {
        config: new Map([
          ["CONFIG_HZ", "1"],
          ["CONFIG_BPF_SYSCALL", "m"],
        ]),
        linux: { LINUX_KERNEL_VERSION: 1 },
      }),
    (e: unknown) => e instanceof ExternError && /CONFIG_BPF_SYSCALL/.test(e.message) && /tristate/.test(e.message),
  );
});

test("linking: subprograms appended in call order, func_info and line_info follow their code", () => {
  const obj = open("multiprog");
  const programs = link(obj);
  const byName = Object.fromEntries(programs.map((p) => [p.definition.name, p]));
  assert.deepEqual(byName.first!.functions, [
    { name: "first", insnOffset: 0 },
    { name: "sum_of_squares", insnOffset: 16 },
    { name: "square", insnOffset: 23 },
  ]);
  assert.deepEqual(
    byName.sock_b!.functions.map((f) => f.name),
    ["sock_b", "global_add", "sum_of_squares", "square"],
  );
  assert.deepEqual(
    byName.first!.funcInfo.map((f) => f.insnOffset),
    [0, 16, 23],
  );
  assert.ok(byName.first!.lines.every((l) => l.file.endsWith("multiprog.bpf.c")));
  assert.ok(
    byName.first!.lines.some((l) => /sum_of_squares\(3, 4\)/.test(l.text)),
    "C source text in line_info",
  );
  // A call in the appended copy points at the copy of its callee.
  const insns = Buffer.from(byName.first!.insns);
  const callAt =
    byName.first!.insns.findIndex((b, i) => i % 8 === 0 && i >= 16 * 8 && b === 0x85 && insns[i + 1]! >> 4 === 1) / 8;
  assert.equal(callAt + insns.readInt32LE(callAt * 8 + 4) + 1, 23, "sum_of_squares calls the appended square");
});

test("gen types: interfaces from the BTF, typed maps/programs/variables; the output type-checks and the loader it declares works", () => {
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-gen-"));
  try {
    const api = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "test", "helpers", "tsbpf-api.ts");
    const out = join(dir, "tracing.ts");
    const source = generateTypes(open("tracing"), {
      importFrom: api.replace(/\.ts$/, ".js"),
      objectPath: corpusObject("tracing"),
    });
    assert.match(source, /export interface Event \{\n  tgid: number;\n  syscall_nr: number;\n  comm: string;\n\}/);
    assert.match(source, /getuid_calls: HashMap<number, bigint>;/);
    assert.match(source, /events: RingBufMap;/);
    assert.match(source, /count_getuid: TracepointProgram;/);
    assert.match(source, /only_tgid: number;/);
    writeFileSync(
      out,
      source +
        `
const obj = loadTracing(undefined, { variables: { only_tgid: 1 } });
const n: bigint | undefined = obj.maps.getuid_calls.get(1);
const tp: TracepointProgram = obj.programs.count_getuid;
const v: number = obj.variables.only_tgid;
void n; void tp; void v;
// @ts-expect-error: no such map
void obj.maps.nope;
`,
    );
    const program = ts.createProgram([out], {
      strict: true,
      noEmit: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      lib: ["lib.es2022.d.ts", "lib.esnext.disposable.d.ts"],
      types: ["node"],
      skipLibCheck: true,
    });
    const diagnostics = ts.getPreEmitDiagnostics(program).filter((d) => d.file?.fileName === out);
    assert.deepEqual(
      diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")),
      [],
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
