// Kernel functions that are eBPF helper calls: time, the current task, probe reads, redirect,
// bpf_loop. Each entry lowers `name(args)` as src/kernel declares it.
import type * as TS from "typescript";
import type { CallArg, VReg } from "../ir.js";
import { INTS } from "../ktypes.js";
import { CORE_ENUMVAL_EXISTS, CORE_ENUMVAL_VALUE, CORE_FIELD_EXISTS } from "../core.js";
import { describeVal, I32, I64, U32, U64, type CT, type Val } from "../values.js";
import type { KernelFunction, Lowering } from "./api.js";
import { readPrintTemplate } from "./print-template.js";

/** A helper that takes nothing and returns an integer of type `ct`. */
function noArguments(helper: string, ct: CT): KernelFunction {
  return (low: Lowering, e) => {
    low.args(e, 0);
    return low.helper(helper, [], ct);
  };
}

/** A byte array (bytes(n) or cstring(n)) a helper fills: its address and size. */
function byteArray(low: Lowering, e: TS.Expression, what: string): { arg: CallArg; size: number } {
  const v = low.expr(e);
  if (v.k !== "ptr" || v.t.kind !== "array" || v.t.elem.size !== 1)
    low.fail(e, `${what} needs a byte array (bytes(n) or cstring(n)), got ${describeVal(v)}`);
  return { arg: low.pointerArg(v), size: v.t.size };
}

/** A kernel or user address for probe reads: an integer, a kernel object, or a __data_loc field. */
function sourceAddress(low: Lowering, e: TS.Expression): CallArg {
  const v = low.expr(e);
  if (v.k === "int" || v.k === "const") return low.toInt(v, U64, e).op;
  if (v.k === "kobj" || v.k === "karray" || v.k === "ptr") return low.pointerArg(v);
  low.fail(e, `expected an address, got ${describeVal(v)}`);
}

/** probeReadKernel(into, from) / probeReadUser(into, from): fills a view from an address. */
const probeRead: KernelFunction = (low: Lowering, e, name) => {
  const [into, from] = low.args(e, 2);
  const dst = low.expr(into!);
  if (dst.k !== "ptr") low.fail(into!, `${name} reads into a struct, array or cell, got ${describeVal(dst)}`);
  const src = sourceAddress(low, from!);
  return low.helper(
    name === "probeReadKernel" ? "probe_read_kernel" : "probe_read_user",
    [low.pointerArg(dst), { imm: dst.t.size }, src],
    I64,
  );
};

/** probeReadKernelStr(into, from) / probeReadUserStr(into, from): a NUL-terminated string. */
const probeReadStr: KernelFunction = (low: Lowering, e, name) => {
  const [into, from] = low.args(e, 2);
  const { arg, size } = byteArray(low, into!, name);
  const src = sourceAddress(low, from!);
  return low.helper(
    name === "probeReadKernelStr" ? "probe_read_kernel_str" : "probe_read_user_str",
    [arg, { imm: size }, src],
    I64,
  );
};

/** readKernel(T, from) / readUser(T, from): a value of type T read into a stack slot. */
const readValue: KernelFunction = (low: Lowering, e, name) => {
  const [typeExpr, from] = low.args(e, 2);
  const t = low.module.dataTypeOfValue(typeExpr!);
  const off = low.b.allocStack(t.size, 8);
  const src = sourceAddress(low, from!);
  low.helper(
    name === "readKernel" ? "probe_read_kernel" : "probe_read_user",
    [{ fp: off }, { imm: t.size }, src],
    "void",
  );
  if (t.kind === "int") return low.loadInt({ fp: true }, off, t, "stack");
  return { k: "ptr", t, base: { fp: true }, off, space: "stack" };
};

/** spinLock(v.lock) / spinUnlock(v.lock): the lock field of a map value (a bpf_spin_lock struct). */
const spinLockCall: KernelFunction = (low: Lowering, e, name) => {
  const [lock] = low.args(e, 1);
  const v = low.expr(lock!);
  if (v.k !== "ptr" || v.t.kind !== "struct" || v.t.name !== "bpf_spin_lock")
    low.fail(lock!, `${name}() takes a SpinLock field of a map value, got ${describeVal(v)}`);
  if (v.space !== "map") low.fail(lock!, `${name}() locks a SpinLock inside a map value (looked up), not a copy`);
  return low.helper(name === "spinLock" ? "spin_lock" : "spin_unlock", [low.pointerArg(v)], "void");
};

/** A string literal argument (a kernel type, field or enumerator name). */
function nameArg(low: Lowering, e: TS.Expression, what: string): string {
  if (!low.ts.isStringLiteral(e) && !low.ts.isNoSubstitutionTemplateLiteral(e))
    low.fail(e, `${what} is a string literal`);
  return e.text;
}

/** A constant the loader relocates against the running kernel's BTF (a mov whose immediate it patches). */
function relocatedConstant(low: Lowering, value: number, ct: CT, root: number, steps: string[], kind: number): Val {
  const dst = low.b.vreg("scalar");
  low.b.emit({ op: "mov", w: ct.signed ? 64 : 32, dst, src: { imm: value }, core: { root, steps, kind } });
  return { k: "int", ct, op: { reg: dst } };
}

/**
 * coreFieldExists("task_struct", "loginuid"): 1 when the running kernel's struct has the member
 * (a path through nested structs with dots), 0 otherwise — a CO-RE relocation, so the verifier
 * prunes the branch the kernel cannot take. A member the compile-time BTF lacks is 0.
 */
const coreFieldExists: KernelFunction = (low: Lowering, e) => {
  const [typeExpr, pathExpr] = low.args(e, 2);
  const root = low.module.btfStruct(nameArg(low, typeExpr!, "the struct name"), typeExpr!);
  const steps = nameArg(low, pathExpr!, "the field path").split(".");
  try {
    low.module.btf().member(root, steps.join("."));
  } catch {
    return { k: "const", value: 0n };
  }
  return relocatedConstant(low, 1, U32, root, steps, CORE_FIELD_EXISTS);
};

/** The 32-bit enum of the kernel's BTF named `name`, and the enumerator `value` in it. */
function kernelEnumerator(low: Lowering, e: TS.CallExpression, name: string) {
  const [enumExpr, valueExpr] = low.args(e, 2);
  const enumName = nameArg(low, enumExpr!, "the enum name");
  const valueName = nameArg(low, valueExpr!, "the enumerator name");
  const btf = low.module.btf();
  const ids = btf.findByName(enumName, "enum");
  if (!ids.length) {
    if (btf.findByName(enumName, "enum64").length)
      low.fail(enumExpr!, `${name}() reads 32-bit enums; ${enumName} is a 64-bit enum`);
    low.fail(enumExpr!, `the kernel's BTF has no enum ${enumName}`);
  }
  const t = btf.typeById(ids[0]!);
  if (t.kind !== "enum") low.fail(enumExpr!, `${enumName} is not an enum`);
  const v = t.values.find((x) => x.name === valueName);
  return { root: ids[0]!, signed: t.signed, value: v?.value, valueName, valueExpr: valueExpr! };
}

/** coreEnumValue("bpf_map_type", "BPF_MAP_TYPE_RINGBUF"): the enumerator's value in the running kernel. */
const coreEnumValue: KernelFunction = (low: Lowering, e, name) => {
  const k = kernelEnumerator(low, e, name);
  if (k.value === undefined) low.fail(k.valueExpr, `the kernel's enum has no ${k.valueName}`);
  return relocatedConstant(low, Number(k.value), k.signed ? I32 : U32, k.root, [k.valueName], CORE_ENUMVAL_VALUE);
};

/** coreEnumValueExists(enum, name): 1 when the running kernel's enum has the enumerator, else 0. */
const coreEnumValueExists: KernelFunction = (low: Lowering, e, name) => {
  const k = kernelEnumerator(low, e, name);
  if (k.value === undefined) return { k: "const", value: 0n };
  return relocatedConstant(low, 1, U32, k.root, [k.valueName], CORE_ENUMVAL_EXISTS);
};

/** A Timer field of a looked-up map value (struct bpf_timer). */
function timerArg(low: Lowering, e: TS.Expression, name: string): CallArg {
  const v = low.expr(e);
  if (v.k !== "ptr" || v.t.kind !== "struct" || v.t.name !== "bpf_timer")
    low.fail(e, `${name}() takes a Timer field of a map value, got ${describeVal(v)}`);
  if (v.space !== "map") low.fail(e, `${name}() needs the Timer inside a map value (looked up), not a copy`);
  return low.pointerArg(v);
}

const TIMER_FUNCTIONS: Readonly<Record<string, KernelFunction>> = {
  /** timerInit(v.timer, map, clock?): bpf_timer_init with the map holding the value. */
  timerInit: (low: Lowering, e, name) => {
    const [timer, mapExpr, clock] = low.args(e, 2, 3);
    const t = timerArg(low, timer!, name);
    const r = low.ts.isIdentifier(mapExpr!) ? low.module.resolve(mapExpr) : undefined;
    if (r?.kind !== "map") low.fail(mapExpr!, "timerInit()'s second argument is the map that holds the timer");
    return low.helper("timer_init", [t, { map: r.map.name }, clock ? low.intArg(clock) : { imm: 1 }], I64);
  },
  /** timerSetCallback(v.timer, fn): fn(map, key, value) runs when the timer fires. */
  timerSetCallback: (low: Lowering, e, name) => {
    const [timer, body] = low.args(e, 2);
    const t = timerArg(low, timer!, name);
    if (!low.ts.isIdentifier(body!)) low.fail(body!, "the timer callback must be a module-level function name");
    const r = low.module.resolve(body);
    if (r.kind !== "function" || r.fn.params.length !== 3)
      low.fail(body!, "the timer callback is a module-level function (map: u64, key: K, value: V) returning 0");
    low.module.subprogram(r.fn);
    return low.helper("timer_set_callback", [t, { func: r.fn.name }], I64);
  },
  /** timerStart(v.timer, nanoseconds, flags?). */
  timerStart: (low: Lowering, e, name) => {
    const [timer, ns, flags] = low.args(e, 2, 3);
    const t = timerArg(low, timer!, name);
    return low.helper("timer_start", [t, low.intArg(ns!), flags ? low.intArg(flags) : { imm: 0 }], I64);
  },
  /** timerCancel(v.timer). */
  timerCancel: (low: Lowering, e, name) => {
    const [timer] = low.args(e, 1);
    return low.helper("timer_cancel", [timerArg(low, timer!, name)], I64);
  },
};

/** sizeof(struct bpf_fib_lookup). */
const FIB_LOOKUP_SIZE = 64;

/** bpf_trace_printk passes at most 3 values in registers; bpf_trace_vprintk takes up to 12 in an array. */
const MAX_PRINTK_REGISTER_VALUES = 3;
const MAX_PRINTK_VALUES = 12;

/**
 * printk(`…${x}…`) / bpfPrintk(…): bpf_trace_printk (bpf_trace_vprintk beyond 3 values) with the
 * template as a printf format in .rodata, so the line reaches the kernel's trace buffer
 * (/sys/kernel/tracing/trace_pipe) whoever loaded the program — tsbpf, bpftool or ip.
 */
const printk: KernelFunction = (low: Lowering, e, name) => {
  const [msg] = low.args(e, 1);
  const { parts, values } = readPrintTemplate(low, msg!, `${name}()`, ["hex", "str", "ipv4"], (conv) =>
    conv === "ipv6" || conv === "mac"
      ? `${name}() formats integers, hex(), ipv4() and str(); ${conv}() is for log`
      : undefined,
  );
  if (values.length > MAX_PRINTK_VALUES) low.fail(msg!, `${name}() takes at most ${MAX_PRINTK_VALUES} values`);
  // The literal text is the format: a % in it prints as one.
  let format = parts[0]!.replace(/%/g, "%%");
  const regs: VReg[] = [];
  values.forEach((x, i) => {
    const v = low.expr(x.e);
    let spec: string;
    let reg: VReg;
    const cell = v.k === "ptr" && v.scalar === true && v.t.kind === "int" ? v.t : undefined;
    if (!cell && (x.conv === "str" || (v.k === "ptr" && v.t.kind === "array") || v.k === "karray")) {
      if (v.k !== "ptr" && v.k !== "karray") low.fail(x.e, "str() prints a byte array");
      spec = "%s";
      reg = low.addressReg(v.base, v.off, "pointer");
    } else if (cell || v.k === "int" || v.k === "const" || v.k === "bool") {
      const signed = cell ? cell.signed : (v.k === "int" && v.ct.signed) || (v.k === "const" && v.value < 0n);
      if (x.conv === "ipv4") {
        // %pI4 reads the address from memory: the be32 is stored, in network order, in a slot.
        const slot = low.tempSlot(8);
        low.storeInt({ fp: true }, slot, INTS.be32!, v, x.e);
        spec = "%pI4";
        reg = low.addressReg({ fp: true }, slot, "pointer");
      } else {
        spec = x.conv === "hex" ? "%llx" : signed ? "%lld" : "%llu";
        reg = low.toReg(v, signed ? I64 : U64, x.e);
      }
    } else low.fail(x.e, `${name}() cannot print ${describeVal(v)}`);
    regs.push(reg);
    format += spec + parts[i + 1]!.replace(/%/g, "%%");
  });
  const bytes = new TextEncoder().encode(`${format}\u0000`);
  const fmt = low.b.vreg("mapValue");
  low.b.emit({ op: "ldglobal", dst: fmt, section: ".rodata", offset: low.module.rodataBytes(bytes) });
  if (regs.length <= MAX_PRINTK_REGISTER_VALUES)
    return low.helper("trace_printk", [{ reg: fmt }, { imm: bytes.length }, ...regs.map((r) => ({ reg: r }))], I64);
  const slot = low.tempSlot(8 * regs.length);
  regs.forEach((reg, i) => low.b.emit({ op: "store", size: 8, base: { fp: true }, off: slot + 8 * i, src: { reg } }));
  return low.helper(
    "trace_vprintk",
    [{ reg: fmt }, { imm: bytes.length }, { fp: slot }, { imm: 8 * regs.length }],
    I64,
  );
};

export const HELPER_FUNCTIONS: Readonly<Record<string, KernelFunction>> = {
  ktimeGetNs: noArguments("ktime_get_ns", U64),
  ktimeGetBootNs: noArguments("ktime_get_boot_ns", U64),
  getCurrentPidTgid: noArguments("get_current_pid_tgid", U64),
  getCurrentUidGid: noArguments("get_current_uid_gid", U64),
  getSmpProcessorId: noArguments("get_smp_processor_id", U32),
  getPrandomU32: noArguments("get_prandom_u32", U32),
  getCurrentTask: noArguments("get_current_task", U64),
  getCurrentComm: (low: Lowering, e) => {
    const [into] = low.args(e, 1);
    const { arg, size } = byteArray(low, into!, "getCurrentComm");
    return low.helper("get_current_comm", [arg, { imm: size }], I64);
  },
  probeReadKernel: probeRead,
  probeReadUser: probeRead,
  probeReadKernelStr: probeReadStr,
  probeReadUserStr: probeReadStr,
  readKernel: readValue,
  readUser: readValue,
  redirect: (low: Lowering, e) => {
    const [ifindex, flags] = low.args(e, 1, 2);
    return low.helper("redirect", [low.intArg(ifindex!, U32), flags ? low.intArg(flags) : { imm: 0 }], I64);
  },
  /** csumDiff(from, to, seed?): bpf_csum_diff of two views (sizes multiples of 4; null for none). */
  csumDiff: (low: Lowering, e) => {
    const [from, to, seed] = low.args(e, 2, 3);
    const side = (x: TS.Expression): CallArg[] => {
      if (x.kind === low.ts.SyntaxKind.NullKeyword) return [{ imm: 0 }, { imm: 0 }];
      const v = low.expr(x);
      if (v.k !== "ptr") low.fail(x, `csumDiff() takes struct or array views (or null), got ${describeVal(v)}`);
      if (v.t.size % 4 !== 0 || v.t.size > 512)
        low.fail(x, `csumDiff() sums whole 32-bit words (at most 512 bytes): this view is ${v.t.size} bytes`);
      return [low.pointerArg(v), { imm: v.t.size }];
    };
    return low.helper("csum_diff", [...side(from!), ...side(to!), seed ? low.intArg(seed, U32) : { imm: 0 }], I64);
  },
  /** fibLookup(ctx, params, flags?): bpf_fib_lookup with a FibLookup view (64 bytes). */
  fibLookup: (low: Lowering, e) => {
    const [ctxExpr, params, flags] = low.args(e, 2, 3);
    const c = low.expr(ctxExpr!);
    if (c.k !== "ctx" || (c.ctx.kind !== "xdp" && c.ctx.kind !== "tc"))
      low.fail(ctxExpr!, `fibLookup() takes an XDP or TC program's context first, got ${describeVal(c)}`);
    const p = low.expr(params!);
    if (p.k !== "ptr" || p.t.kind !== "struct" || p.t.size !== FIB_LOOKUP_SIZE)
      low.fail(params!, `fibLookup() fills a FibLookup (${FIB_LOOKUP_SIZE} bytes), got ${describeVal(p)}`);
    return low.helper(
      "fib_lookup",
      [{ reg: c.reg }, low.pointerArg(p), { imm: FIB_LOOKUP_SIZE }, flags ? low.intArg(flags, U32) : { imm: 0 }],
      I64,
    );
  },
  coreFieldExists,
  coreEnumValue,
  coreEnumValueExists,
  ...TIMER_FUNCTIONS,
  spinLock: spinLockCall,
  spinUnlock: spinLockCall,
  printk,
  bpfPrintk: printk,
  /** redirectMap(map, key, flags?): bpf_redirect_map, libbpf's spelling of devmap.redirect(key, flags). */
  redirectMap: (low: Lowering, e) => {
    const [mapExpr, key, flags] = low.args(e, 2, 3);
    const r = low.ts.isIdentifier(mapExpr!) ? low.module.resolve(mapExpr) : undefined;
    if (r?.kind !== "map" || !["devmap", "devmap_hash", "cpumap", "xskmap"].includes(r.map.mapType))
      low.fail(mapExpr!, "redirectMap() takes a DevMap, DevMapHash, CpuMap or XskMap");
    return low.helper(
      "redirect_map",
      [{ map: r.map.name }, low.intArg(key!, U32), flags ? low.intArg(flags) : { imm: 0 }],
      I64,
    );
  },
  /** loop(n, body, state): bpf_loop calling a module-level function n times. */
  loop: (low: Lowering, e) => {
    const [n, body, state] = low.args(e, 3);
    if (!low.ts.isIdentifier(body!)) low.fail(body!, "loop's body must be a module-level function name");
    const r = low.module.resolve(body);
    if (r.kind !== "function") low.fail(body!, "loop's body must be a module-level function");
    if (r.fn.params.length !== 2) low.fail(body!, "the loop body takes (index: u32, state: S)");
    low.module.subprogram(r.fn);
    const st = low.expr(state!);
    if (st.k !== "ptr") low.fail(state!, "loop's state must be a struct (on the stack)");
    return low.helper("loop", [low.intArg(n!, U32), { func: r.fn.name }, low.pointerArg(st), { imm: 0 }], I64);
  },
};
