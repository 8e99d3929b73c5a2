// The running kernel's BTF: layouts, enums, tracepoint prototypes, checked against facts that do
// not come from our own member walk.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  Btf,
  BtfBuilder,
  BtfError,
  BtfKind,
  hasKernelBtf,
  kernelBtf,
  loadBtfFile,
  VMLINUX_BTF_PATH,
} from "../../src/btf/index.js";
import { AttachType } from "../../src/uapi.js";
import type { StructType } from "../../src/btf/index.js";

const skip = hasKernelBtf() ? false : "this kernel has no /sys/kernel/btf/vmlinux (CONFIG_DEBUG_INFO_BTF)";

test("kernelBtf parses vmlinux once and caches it", { skip }, () => {
  const a = kernelBtf();
  assert.equal(kernelBtf(), a);
  assert.ok(a.typeCount > 50_000, `typeCount ${a.typeCount}`);
  // Mapped or read, the same blob gives the same answers.
  const read = loadBtfFile(VMLINUX_BTF_PATH, { mmap: false });
  assert.equal(read.typeCount, a.typeCount);
  assert.deepEqual(read.typeById(a.typeCount - 1), a.typeById(a.typeCount - 1));
});

test("struct sock: __sk_common.skc_dport, by path and by hand", { skip }, () => {
  const btf = kernelBtf();
  const loc = btf.member("sock", "__sk_common.skc_dport");
  // The member walk by hand: sock.__sk_common is a struct sock_common; skc_dport sits in an
  // anonymous struct inside an anonymous union of it.
  const sockIds = btf.findByName("sock", "struct");
  assert.ok(sockIds.length >= 1);
  const sock = btf.typeById(sockIds[0]!) as StructType;
  const common = sock.members.find((m) => m.name === "__sk_common");
  assert.ok(common);
  const sockCommon = btf.typeById(btf.resolve(common.type)) as StructType;
  assert.equal(sockCommon.kind, "struct");
  assert.equal(sockCommon.name, "sock_common");
  let manual: number | undefined;
  const walk = (t: StructType, base: number): void => {
    for (const m of t.members) {
      if (m.name === "skc_dport") manual = base + m.bitOffset;
      else if (m.name === "") walk(btf.typeById(btf.resolve(m.type)) as StructType, base + m.bitOffset);
    }
  };
  walk(sockCommon, common.bitOffset);
  assert.equal(loc.bitOffset, manual);
  // The C layout of sock_common on 64-bit: skc_addrpair (8) and skc_hash (4) precede the ports.
  assert.equal(loc.offset, 12);
  assert.equal(btf.memberOffset("sock", "__sk_common.skc_dport"), 12);
  assert.equal(loc.size, 2);
  assert.equal(loc.typeName, "__be16");
  assert.equal(btf.memberOffset("sock_common", "skc_num"), 14);
  assert.equal(btf.member("sock", "__sk_common.skc_family").size, 2);
  assert.throws(() => btf.member("sock", "__sk_common.no_such_field"), BtfError);
});

test("bpf_attach_type holds the uapi values", { skip }, () => {
  const btf = kernelBtf();
  assert.equal(btf.enumValue("bpf_attach_type", "BPF_TCX_INGRESS"), 46);
  assert.equal(btf.enumValue("bpf_attach_type", "BPF_TRACE_UPROBE_MULTI"), 48);
  assert.equal(btf.enumValue("bpf_attach_type", "BPF_TCX_INGRESS"), AttachType.TCX_INGRESS);
  assert.equal(btf.enumValue("bpf_attach_type", "BPF_NETFILTER"), AttachType.NETFILTER);
  assert.equal(btf.enumValue("bpf_attach_type", "NO_SUCH_VALUE"), undefined);
  assert.equal(btf.enumValue("no_such_enum", "BPF_TCX_INGRESS"), undefined);
  // Anonymous enums are searched when no enum name is given (BPF_F_NO_PREALLOC = 1 << 0).
  assert.equal(btf.enumValue(null, "BPF_F_NO_PREALLOC"), 1);
});

test("task_struct.pid is a 4-byte pid_t; sizes and names read sensibly", { skip }, () => {
  const btf = kernelBtf();
  const pid = btf.member("task_struct", "pid");
  assert.equal(pid.size, 4);
  assert.equal(pid.typeName, "pid_t");
  assert.equal(btf.sizeOf(pid.type), 4);
  const resolved = btf.typeById(btf.resolve(pid.type));
  assert.equal(resolved.kind, "int");
  assert.equal(resolved.kind === "int" && resolved.signed, true);
  assert.equal(btf.member("task_struct", "comm").typeName, "char[16]");
  assert.equal(btf.sizeOf(btf.findByName("task_struct", "struct")[0]!), btf.structLayout("task_struct").size);
  const layout = btf.structLayout("struct task_struct");
  for (let i = 1; i < layout.members.length; i++) {
    assert.ok(layout.members[i]!.bitOffset >= layout.members[i - 1]!.bitOffset, "members in offset order");
  }
  assert.equal(btf.typeName(btf.findByName("sk_buff", "struct")[0]!), "struct sk_buff");
});

test("tracepoints: btf_trace_sched_process_exec and its arguments", { skip }, () => {
  const btf = kernelBtf();
  const ids = btf.findByName("btf_trace_sched_process_exec", "typedef");
  assert.equal(ids.length, 1);
  const tp = btf.tracepoint("sched_process_exec");
  assert.ok(tp);
  assert.equal(tp.id, ids[0]);
  assert.deepEqual(
    tp.params.map((p) => p.typeName),
    ["struct task_struct *", "pid_t", "struct linux_binprm *"],
  );
  // The raw prototype has the hidden `void *` first.
  assert.equal(btf.funcProto("btf_trace_sched_process_exec")?.params[0]?.typeName, "void *");
  // The tracefs format agrees that the event exists (when tracefs is mounted).
  const format = "/sys/kernel/tracing/events/sched/sched_process_exec/format";
  if (existsSync(format)) assert.match(readFileSync(format, "utf8"), /name: sched_process_exec/);
  assert.equal(btf.tracepoint("no_such_event_at_all"), undefined);
});

test("funcProto finds kernel functions", { skip }, () => {
  const btf = kernelBtf();
  const fn = btf.funcProto("tcp_sendmsg");
  assert.ok(fn);
  assert.equal(btf.kindOf(fn.id), BtfKind.FUNC);
  assert.equal(fn.returnTypeName, "int");
  assert.deepEqual(
    fn.params.map((p) => p.typeName),
    ["struct sock *", "struct msghdr *", "size_t"],
  );
  assert.equal(fn.params[0]!.name, "sk");
});

test("decoding every vmlinux type succeeds", { skip }, () => {
  const btf = Btf.parse(readFileSync(VMLINUX_BTF_PATH));
  btf.validate();
  let count = 0;
  const kinds = new Set<string>();
  for (const t of btf.types()) {
    count++;
    kinds.add(t.kind);
  }
  assert.equal(count, btf.typeCount - 1);
  for (const k of ["int", "ptr", "array", "struct", "union", "enum", "typedef", "const", "func", "func_proto"])
    assert.ok(kinds.has(k), k);
});

test("loadBtfFile reads BTF files, mapped or not", (t) => {
  const dir = mkdtempSync(join(tmpdir(), "tsbpf-btf-"));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const b = new BtfBuilder();
  const id = b.addCStruct("pair", [
    { name: "a", type: b.stdInt(4) },
    { name: "b", type: b.stdInt(8) },
  ]);
  const file = join(dir, "pair.btf");
  writeFileSync(file, b.build());
  for (const mmap of [undefined, true, false]) {
    const btf = loadBtfFile(file, { mmap });
    assert.deepEqual(btf.findByName("pair"), [id], `mmap ${mmap}`);
    assert.equal(btf.memberOffset("pair", "b"), 8);
  }
  assert.throws(() => loadBtfFile(join(dir, "missing.btf")), /ENOENT/);
  writeFileSync(join(dir, "garbage.btf"), "not btf at all");
  assert.throws(() => loadBtfFile(join(dir, "garbage.btf")), BtfError);
});
