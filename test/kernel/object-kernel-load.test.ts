// The object model in the kernel: every loadable section kind loads as its class, the BTF handed
// to the kernel is accepted, the verifier log shows the C source lines, and `tsbpf load` lists
// and pins what it loaded.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { BpfObjectFile, kernelBtfBlob } from "../../src/object/index.js";
import { Btf } from "../../src/btf/index.js";
import { loadBtf } from "../../src/btf/load.js";
import { closeFd } from "../../src/sys/bpf.js";
import { loadObject } from "../../src/loader/index.js";
import { main } from "../../src/cli/main.js";
import { ProgType } from "../../src/uapi.js";
import { corpusObject } from "../helpers/bpf-corpus.js";

const open = (name: string): BpfObjectFile =>
  BpfObjectFile.parse(readFileSync(corpusObject(name)), { file: `${name}.bpf.o`, name });

test("the loadable section kinds load as their classes (kprobe and fentry where the kernel has them)", () => {
  using obj = loadObject(corpusObject("sections"), {
    programs: {
      kp: { load: false },
      krp: { load: false },
      fe: { load: false },
      fx: { load: false },
      lsm_open: { load: false },
    },
  });
  const classes = Object.fromEntries(Object.entries(obj.programs).map(([n, p]) => [n, p.constructor.name]));
  assert.deepEqual(classes, {
    up: "UprobeProgram",
    urp: "UprobeProgram",
    tp_short: "TracepointProgram",
    tp_long: "TracepointProgram",
    rawtp_long: "RawTracepointProgram",
    tpbtf: "TpBtfProgram",
    it: "IterProgram",
    pe: "PerfEventProgram",
    sock: "SocketFilterProgram",
    tc_legacy: "TcProgram",
    tcx_in: "TcProgram",
    xdp_frags: "XdpProgram",
    cg_in: "CgroupSkbProgram",
    cg_conn: "CgroupSockAddrProgram",
    sock_ops_prog: "SockOpsProgram",
    skmsg: "Program",
    sk_verdict: "Program",
    flow: "FlowDissectorProgram",
    lookup: "SkLookupProgram",
    sys: "Program",
  });
});

test("the BTF handed to the kernel: DATASEC sizes and offsets filled in, externs made acceptable; the kernel takes it", () => {
  for (const name of [
    "globals",
    "externs",
    "mapinmap",
    "core",
    "tracing",
    "multiprog",
    "tailcall",
    "legacy_maps",
    "ksym_var",
  ]) {
    const obj = open(name);
    const blob = kernelBtfBlob(obj)!;
    const btf = Btf.parse(blob);
    btf.validate();
    const fd = loadBtf(blob);
    closeFd(fd);
    if (name === "globals") {
      const bss = btf.datasec(".bss")!;
      assert.equal(bss.size, 32);
      assert.deepEqual(
        bss.vars.map((v) => [btf.nameOf(v.type), v.offset]),
        [
          ["packets", 0],
          ["bytes", 8],
          ["last_len", 16],
          ["matched", 24],
        ],
      );
    }
    if (name === "externs") {
      const ksyms = btf.datasec(".ksyms")!;
      assert.ok(
        ksyms.vars.every((v) => btf.typeById(v.type).kind === "var"),
        "functions in .ksyms replaced by a VAR",
      );
      assert.equal(btf.datasec(".kconfig")!.size, obj.map(".kconfig")!.valueSize);
    }
  }
});

test("the verifier log shows the C source lines", () => {
  using obj = loadObject(corpusObject("globals"), { log: { keepLog: true, logLevel: 2 } });
  const log = obj.programs.count_packets!.verifierLog ?? "";
  assert.match(log, /; packets\+\+; @ globals\.bpf\.c:\d+/);
});

test("CLI: tsbpf load lists programs and maps (and pins them with --pin); tsbpf gen types prints the module", async (t) => {
  let stdout = "",
    stderr = "";
  const io = {
    stdout: (s: string) => {
      stdout += s;
    },
    stderr: (s: string) => {
      stderr += s;
    },
    stdin: () => "",
  };
  assert.equal(await main(["load", corpusObject("multiprog"), "--json"], io), 0, stderr);
  const records = stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { kind: string; name: string; type: string });
  assert.deepEqual(
    records.filter((r) => r.kind === "program").map((r) => [r.name, r.type]),
    [
      ["first", "xdp"],
      ["second", "xdp"],
      ["sock_a", "socket_filter"],
      ["sock_b", "socket_filter"],
    ],
  );
  assert.deepEqual(
    records.filter((r) => r.kind === "map").map((r) => r.name),
    ["results"],
  );
  const dir = `/sys/fs/bpf/tsbpf_cli_${process.pid}`;
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  stdout = "";
  assert.equal(await main(["load", corpusObject("globals"), "--pin", dir, "--set", "verdict=1"], io), 0, stderr);
  assert.match(stdout, /count_packets\s+xdp\s+xdp/);
  const pinned = (await import("../../src/programs/program.js")).Program.openPinned(
    `${dir}/count_packets`,
    ProgType.XDP,
  );
  const { testRun } = await import("../../src/programs/test-run.js");
  assert.equal(
    testRun(pinned, { data: new Uint8Array(64) }).retval,
    1,
    "the --set verdict took effect in the pinned program",
  );
  pinned.close();
  stdout = "";
  assert.equal(await main(["gen", "types", corpusObject("core")], io), 0, stderr);
  assert.match(stdout, /export interface ExecInfo \{/);
  assert.match(stdout, /on_exec: TpBtfProgram;/);
  assert.equal(await main(["gen", "nope", corpusObject("core")], io), 2);
  assert.equal(await main(["load"], io), 2);
});
