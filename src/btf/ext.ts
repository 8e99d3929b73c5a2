// What BPF_PROG_LOAD takes besides the program BTF: func_info (struct bpf_func_info: insn_off,
// type_id) and line_info (struct bpf_line_info: insn_off, file_name_off, line_off, line_col)
// records, plus a helper that makes BTF, func_info and line_info for a hand-assembled program so
// the verifier can tell its subprograms apart and print source lines in its log.
import { BtfBuilder } from "./encoder.js";
import { BtfError, FuncLinkage } from "./kinds.js";
import { ProgType } from "../uapi.js";

/**
 * The struct the kernel expects a program type's context argument to point to (what clang's
 * headers give it). A `ctx` parameter typed `struct NAME *` is recognised as the context; a
 * `void *` one makes the verifier log `arg#0 reference type('UNKNOWN ') size cannot be determined`.
 * The kernel matches by name only, so an empty struct of that name is enough.
 */
export const CONTEXT_STRUCTS: Readonly<Partial<Record<number, string>>> = {
  [ProgType.SOCKET_FILTER]: "__sk_buff",
  [ProgType.SCHED_CLS]: "__sk_buff",
  [ProgType.SCHED_ACT]: "__sk_buff",
  [ProgType.CGROUP_SKB]: "__sk_buff",
  [ProgType.SK_SKB]: "__sk_buff",
  [ProgType.LWT_IN]: "__sk_buff",
  [ProgType.LWT_OUT]: "__sk_buff",
  [ProgType.LWT_XMIT]: "__sk_buff",
  [ProgType.FLOW_DISSECTOR]: "__sk_buff",
  [ProgType.XDP]: "xdp_md",
  [ProgType.CGROUP_SOCK]: "bpf_sock",
  [ProgType.CGROUP_SOCK_ADDR]: "bpf_sock_addr",
  [ProgType.SOCK_OPS]: "bpf_sock_ops",
  [ProgType.SK_MSG]: "sk_msg_md",
  [ProgType.CGROUP_DEVICE]: "bpf_cgroup_dev_ctx",
  [ProgType.CGROUP_SYSCTL]: "bpf_sysctl",
  [ProgType.CGROUP_SOCKOPT]: "bpf_sockopt",
  [ProgType.SK_LOOKUP]: "bpf_sk_lookup",
  [ProgType.SK_REUSEPORT]: "sk_reuseport_md",
  [ProgType.PERF_EVENT]: "bpf_perf_event_data",
  [ProgType.RAW_TRACEPOINT]: "bpf_raw_tracepoint_args",
};

export const FUNC_INFO_REC_SIZE = 8;
export const LINE_INFO_REC_SIZE = 16;

/** line_col packs the line number above 10 bits of column. */
export const LINE_SHIFT = 10;
export const MAX_COLUMN = (1 << LINE_SHIFT) - 1;
export const MAX_LINE = 0xffff_ffff >>> LINE_SHIFT;

export interface FuncInfoRecord {
  /** Instruction (8-byte slot) where the function starts. */
  insnOffset: number;
  /** Id of its FUNC type in the program's BTF. */
  typeId: number;
}

export interface LineInfoRecord {
  insnOffset: number;
  /** String offsets in the program's BTF. */
  fileNameOff: number;
  lineOff: number;
  line: number;
  /** 0 when unknown; larger than 1023 is clamped. */
  column: number;
}

/** Packs line and column the way bpf_line_info.line_col holds them. */
export function lineCol(line: number, column: number): number {
  if (!Number.isInteger(line) || line < 0 || line > MAX_LINE)
    throw new BtfError(`line number ${line} does not fit line_info (max ${MAX_LINE})`);
  const col = Math.max(0, Math.min(MAX_COLUMN, Math.trunc(column)));
  return ((line << LINE_SHIFT) | col) >>> 0;
}

export function encodeFuncInfo(records: readonly FuncInfoRecord[]): Buffer {
  const out = Buffer.alloc(records.length * FUNC_INFO_REC_SIZE);
  records.forEach((r, i) => {
    out.writeUInt32LE(r.insnOffset >>> 0, i * FUNC_INFO_REC_SIZE);
    out.writeUInt32LE(r.typeId >>> 0, i * FUNC_INFO_REC_SIZE + 4);
  });
  return out;
}

export function encodeLineInfo(records: readonly LineInfoRecord[]): Buffer {
  const out = Buffer.alloc(records.length * LINE_INFO_REC_SIZE);
  records.forEach((r, i) => {
    const at = i * LINE_INFO_REC_SIZE;
    out.writeUInt32LE(r.insnOffset >>> 0, at);
    out.writeUInt32LE(r.fileNameOff >>> 0, at + 4);
    out.writeUInt32LE(r.lineOff >>> 0, at + 8);
    out.writeUInt32LE(lineCol(r.line, r.column), at + 12);
  });
  return out;
}

export interface ProgramFunction {
  /** Function name; characters C does not allow in identifiers are replaced by `_`. */
  name: string;
  /** First instruction (8-byte slot). The first function must start at 0. */
  insnOffset: number;
  /** Subprograms only: number of u64 arguments (0-5, default 0). The main function takes `void *ctx`. */
  argCount?: number;
  /** Global linkage (verified on its own, not per call site). Default: the main function only. */
  global?: boolean;
}

export interface ProgramLine {
  insnOffset: number;
  file: string;
  line: number;
  column?: number;
  /** The source text the verifier log shows for this instruction. */
  text: string;
}

export interface ProgramBtf {
  btf: Buffer;
  funcInfo: Buffer;
  lineInfo: Buffer;
  funcInfoRecSize: typeof FUNC_INFO_REC_SIZE;
  lineInfoRecSize: typeof LINE_INFO_REC_SIZE;
  /** FUNC type id of each function, in offset order. */
  funcTypeIds: number[];
}

function cIdentifier(name: string): string {
  let s = name.replace(/[^A-Za-z0-9_]/g, "_");
  if (s === "") s = "func";
  if (/^[0-9]/.test(s)) s = `_${s}`;
  return s;
}

/**
 * BTF for a program's functions (a FUNC + FUNC_PROTO each, returning int) with its func_info and
 * line_info records. Lines are sorted by instruction; of several lines at one instruction the
 * last wins (the kernel wants strictly increasing offsets). When lines are given, the kernel also
 * wants one at every function start: a function without one gets a line naming the function, in
 * the file of the function's first line (or of the program's first line).
 */
export function programBtf(
  functions: readonly ProgramFunction[],
  lines: readonly ProgramLine[] = [],
  progType?: number,
): ProgramBtf {
  if (functions.length === 0) throw new BtfError("a program needs at least one function (its entry at instruction 0)");
  const funcs = [...functions].sort((a, b) => a.insnOffset - b.insnOffset);
  if (funcs[0]!.insnOffset !== 0)
    throw new BtfError(`the first function must start at instruction 0 (got ${funcs[0]!.insnOffset})`);
  for (let i = 1; i < funcs.length; i++) {
    if (funcs[i]!.insnOffset === funcs[i - 1]!.insnOffset) {
      throw new BtfError(
        `functions ${funcs[i - 1]!.name} and ${funcs[i]!.name} both start at instruction ${funcs[i]!.insnOffset}`,
      );
    }
  }
  const b = new BtfBuilder();
  const int = b.stdInt(4, true);
  const funcTypeIds: number[] = [];
  let u64 = 0;
  const ctxName = progType === undefined ? undefined : CONTEXT_STRUCTS[progType];
  const ctxPtr = b.addPtr(ctxName ? b.addStruct(ctxName, 0) : 0);
  funcs.forEach((f, i) => {
    if (!Number.isInteger(f.insnOffset) || f.insnOffset < 0)
      throw new BtfError(`function ${f.name}: bad instruction offset ${f.insnOffset}`);
    let proto: number;
    if (i === 0) {
      proto = b.addFuncProto(int, [{ name: "ctx", type: ctxPtr }]);
    } else {
      const argCount = f.argCount ?? 0;
      if (!Number.isInteger(argCount) || argCount < 0 || argCount > 5)
        throw new BtfError(`function ${f.name}: ${argCount} arguments (BPF functions take 0 to 5)`);
      if (argCount > 0 && u64 === 0) u64 = b.stdInt(8, false);
      proto = b.addFuncProto(
        int,
        Array.from({ length: argCount }, (_, k) => ({ name: `arg${k}`, type: u64 })),
      );
    }
    const global = f.global ?? i === 0;
    funcTypeIds.push(b.addFunc(cIdentifier(f.name), proto, global ? FuncLinkage.GLOBAL : FuncLinkage.STATIC));
  });

  // Last line per instruction, in instruction order.
  const byInsn = new Map<number, ProgramLine>();
  for (const l of lines) {
    if (!Number.isInteger(l.insnOffset) || l.insnOffset < 0)
      throw new BtfError(`line ${l.file}:${l.line}: bad instruction offset ${l.insnOffset}`);
    byInsn.set(l.insnOffset, l);
  }
  if (byInsn.size > 0) {
    const sorted = [...byInsn.values()].sort((x, y) => x.insnOffset - y.insnOffset);
    for (const f of funcs) {
      if (byInsn.has(f.insnOffset)) continue;
      const inside = sorted.find((l) => l.insnOffset > f.insnOffset);
      byInsn.set(f.insnOffset, {
        insnOffset: f.insnOffset,
        file: (inside ?? sorted[0]!).file,
        line: inside?.line ?? 0,
        column: 0,
        text: `${f.name}:`,
      });
    }
  }
  const lineRecords: LineInfoRecord[] = [...byInsn.values()]
    .sort((x, y) => x.insnOffset - y.insnOffset)
    .map((l) => ({
      insnOffset: l.insnOffset,
      fileNameOff: b.addString(l.file),
      lineOff: b.addString(l.text),
      line: l.line,
      column: l.column ?? 0,
    }));

  return {
    btf: b.build(),
    funcInfo: encodeFuncInfo(funcs.map((f, i) => ({ insnOffset: f.insnOffset, typeId: funcTypeIds[i]! }))),
    lineInfo: encodeLineInfo(lineRecords),
    funcInfoRecSize: FUNC_INFO_REC_SIZE,
    lineInfoRecSize: LINE_INFO_REC_SIZE,
    funcTypeIds,
  };
}
