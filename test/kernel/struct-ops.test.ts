// struct_ops from clang-built objects: a `struct tcp_congestion_ops` in `.struct_ops` (registered
// by writing its map) and in `.struct_ops.link` (registered through a bpf_link) becomes a TCP
// congestion control that a real connection chooses with setsockopt(TCP_CONGESTION), and whose
// callbacks count their calls in a map.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { loadObject } from "../../src/loader/index.js";
import { BpfObjectFile, kernelStructOps } from "../../src/object/index.js";
import { kernelBtf } from "../../src/btf/vmlinux.js";
import { mapInfoFull, progInfo } from "../../src/sys/info.js";
import { Link } from "../../src/links/link.js";
import type { ArrayMap } from "../../src/maps/array.js";
import type { BpfMap } from "../../src/maps/map.js";
import { MapFlags, MapType, ProgType } from "../../src/uapi.js";
import { corpusObject } from "../helpers/bpf-corpus.js";
import { vethPairFor } from "../helpers/netns.js";
import { transferWithCongestion } from "../helpers/tcp-congestion.js";

const available = (): string[] =>
  readFileSync("/proc/sys/net/ipv4/tcp_available_congestion_control", "utf8").trim().split(/\s+/);

/** A congestion control registered without a link outlives a killed test: remove one left behind. */
function unregisterStale(name: string): void {
  if (available().includes(name)) spawnSync("bpftool", ["struct_ops", "unregister", "name", name]);
}

test("the object model: each struct_ops variable is a map, its function pointers name programs", () => {
  const file = BpfObjectFile.parse(readFileSync(corpusObject("struct_ops")));
  assert.equal(file.structOps.length, 1);
  const def = file.structOps[0]!;
  assert.equal(def.name, "tsbpf_cc");
  assert.equal(def.typeName, "tcp_congestion_ops");
  assert.equal(def.link, false);
  const pointers = Object.fromEntries(def.members.filter((m) => m.program).map((m) => [m.name, m.program]));
  assert.deepEqual(pointers, {
    ssthresh: "cc_ssthresh",
    cong_avoid: "cc_cong_avoid",
    undo_cwnd: "cc_undo_cwnd",
    init: "cc_init",
  });
  const map = file.map("tsbpf_cc");
  assert.equal(map?.type, MapType.STRUCT_OPS);
  assert.equal(map?.flags, 0);
  assert.equal(
    BpfObjectFile.parse(readFileSync(corpusObject("struct_ops_link"))).map("tsbpf_cc_link")?.flags,
    MapFlags.LINK,
  );

  // Laid out for the running kernel: the name lands in the value's data member, programs by member index.
  const btf = kernelBtf();
  const k = kernelStructOps(def, btf);
  assert.equal(k.structTypeId, btf.findByName("tcp_congestion_ops", "struct")[0]);
  assert.equal(k.valueTypeId, btf.findByName("bpf_struct_ops_tcp_congestion_ops", "struct")[0]);
  const nameAt =
    btf.memberOffset("bpf_struct_ops_tcp_congestion_ops", "data") + btf.memberOffset("tcp_congestion_ops", "name");
  assert.equal(Buffer.from(k.value.subarray(nameAt, nameAt + 9)).toString("latin1"), "tsbpf_cc\0");
  const kernelMembers = (btf.findType("tcp_congestion_ops", "struct") as { members: { name: string }[] }).members;
  for (const p of k.programs) assert.equal(kernelMembers[p.memberIndex]!.name, p.member);
});

test("a .struct_ops congestion control: registered by its map, chosen by a TCP connection, its callbacks run", (t) => {
  unregisterStale("tsbpf_cc");
  const pair = vethPairFor(t);
  using obj = loadObject(corpusObject("struct_ops"));
  const info = mapInfoFull(obj.mapFd("tsbpf_cc"));
  assert.equal(info.type, MapType.STRUCT_OPS);
  assert.equal(info.btfVmlinuxValueTypeId, kernelBtf().findByName("bpf_struct_ops_tcp_congestion_ops", "struct")[0]);
  const structId = kernelBtf().findByName("tcp_congestion_ops", "struct")[0];
  for (const name of ["cc_init", "cc_cong_avoid", "cc_ssthresh", "cc_undo_cwnd"]) {
    const p = progInfo(obj.program(name).fd);
    assert.equal(p.type, ProgType.STRUCT_OPS, `${name}: program type`);
    assert.equal(p.attachBtfId, structId, `${name}: attach_btf_id is the kernel's struct`);
  }
  assert.ok(!available().includes("tsbpf_cc"), "not registered before attach");

  const registration = obj.attach("tsbpf_cc");
  assert.ok(available().includes("tsbpf_cc"), "registered: TCP lists it");
  // The map reads back as the kernel's value: the name in the struct, at the kernel's offsets.
  const btf = kernelBtf();
  const value = (obj.maps.tsbpf_cc as BpfMap<number, Uint8Array>).get(0)!;
  assert.equal(value.length, btf.sizeOf(btf.findByName("bpf_struct_ops_tcp_congestion_ops", "struct")[0]!));
  const nameAt =
    btf.memberOffset("bpf_struct_ops_tcp_congestion_ops", "data") + btf.memberOffset("tcp_congestion_ops", "name");
  assert.equal(Buffer.from(value.subarray(nameAt, nameAt + 9)).toString("latin1"), "tsbpf_cc\0");
  const run = transferWithCongestion(pair.a.path, "tsbpf_cc", 4 << 20);
  assert.equal(run.clientCongestion, "tsbpf_cc", "getsockopt(TCP_CONGESTION) on the connection");
  const calls = obj.maps.cc_calls as ArrayMap<bigint>;
  assert.ok(calls.get(0)! >= 1n, `init ran (${calls.get(0)!} calls)`);
  assert.ok(calls.get(1)! >= 1n, `cong_avoid ran (${calls.get(1)!} calls)`);

  registration.detach();
  assert.ok(!available().includes("tsbpf_cc"), "unregistered by detach");
  assert.throws(() => obj.attach("tsbpf_cc"), /cannot be again without a link/);
});

test("closing the object unregisters a .struct_ops congestion control it registered", () => {
  unregisterStale("tsbpf_cc");
  const obj = loadObject(corpusObject("struct_ops"));
  try {
    obj.attachStructOps("tsbpf_cc");
    assert.ok(available().includes("tsbpf_cc"));
  } finally {
    obj.close();
  }
  assert.ok(!available().includes("tsbpf_cc"), "unregistered by close");
});

test("a second congestion control of the same name is refused in tsbpf's words", () => {
  unregisterStale("tsbpf_cc");
  using first = loadObject(corpusObject("struct_ops"));
  using second = loadObject(corpusObject("struct_ops"));
  first.attach("tsbpf_cc");
  assert.throws(() => second.attach("tsbpf_cc"), /already has one of that name/);
  assert.throws(() => second.attachStructOps("nope"), /has no struct_ops "nope" \(struct_ops: tsbpf_cc\)/);
  assert.throws(() => second.attach("cc_init"), /"cc_init" is a struct_ops callback: register the struct_ops variable/);
});

test("a .struct_ops.link congestion control: registered while its link lives, again after", (t) => {
  const pair = vethPairFor(t);
  using obj = loadObject(corpusObject("struct_ops_link"));
  const link = obj.attach("tsbpf_cc_link");
  assert.ok(link instanceof Link, "a bpf_link");
  try {
    assert.ok(available().includes("tsbpf_cc_link"));
    const run = transferWithCongestion(pair.a.path, "tsbpf_cc_link", 1 << 20);
    assert.equal(run.clientCongestion, "tsbpf_cc_link");
    const calls = obj.maps.cc_calls as ArrayMap<bigint>;
    assert.ok(calls.get(0)! >= 1n && calls.get(1)! >= 1n, `init ${calls.get(0)!}, cong_avoid ${calls.get(1)!}`);
  } finally {
    link.detach();
  }
  assert.ok(!available().includes("tsbpf_cc_link"), "unregistered when the link closes");
  using again = obj.attach("tsbpf_cc_link");
  assert.ok(available().includes("tsbpf_cc_link"), "a new link registers the same map again");
});

test("a struct_ops whose programs were left out of the load: a warning, and registering says why not", () => {
  using obj = loadObject(corpusObject("struct_ops"), { programs: { cc_ssthresh: { load: false } } });
  assert.match(
    obj.warnings.join("\n"),
    /struct_ops "tsbpf_cc" cannot be registered: its program cc_ssthresh was not loaded/,
  );
  assert.throws(() => obj.attachStructOps("tsbpf_cc"), /cannot be registered: not all its programs were loaded/);
});
