// .BTF.ext: what the compiler says about each code section besides the types — func_info (where
// each function starts and its FUNC type), line_info (the source line of instructions) and CO-RE
// relocations (instructions whose constants depend on the target kernel's types). Records are
// grouped per ELF section, named by a string of the object's .BTF; instruction offsets are in
// bytes from the start of the section.
import type { Btf } from "../btf/decoder.js";
import { BtfError } from "../btf/kinds.js";
import { ObjectBtfError } from "./errors.js";

export interface FuncInfo {
  insnOffset: number;
  typeId: number;
}
export interface LineInfo {
  insnOffset: number;
  fileNameOff: number;
  lineOff: number;
  lineCol: number;
}

/** enum bpf_core_relo_kind. */
export const CoreReloKind = {
  FIELD_BYTE_OFFSET: 0,
  FIELD_BYTE_SIZE: 1,
  FIELD_EXISTS: 2,
  FIELD_SIGNED: 3,
  FIELD_LSHIFT_U64: 4,
  FIELD_RSHIFT_U64: 5,
  TYPE_ID_LOCAL: 6,
  TYPE_ID_TARGET: 7,
  TYPE_EXISTS: 8,
  TYPE_SIZE: 9,
  ENUMVAL_EXISTS: 10,
  ENUMVAL_VALUE: 11,
  TYPE_MATCHES: 12,
} as const;
export type CoreReloKind = (typeof CoreReloKind)[keyof typeof CoreReloKind];

export interface CoreRelo {
  /** Byte offset of the instruction in its section. */
  insnOffset: number;
  /** The local (object BTF) root type. */
  typeId: number;
  /** Access string, e.g. "0:1:2" (a string of the object's BTF). */
  accessString: string;
  kind: number;
}

export interface SectionExtInfo {
  funcInfo: FuncInfo[];
  lineInfo: LineInfo[];
  coreRelos: CoreRelo[];
}

const MAGIC = 0xeb9f;
const MIN_HEADER = 24;

/** Parses .BTF.ext against the object's BTF (for section names and access strings). */
export function parseBtfExt(bytes: Uint8Array, btf: Btf, where: string): Map<string, SectionExtInfo> {
  const out = new Map<string, SectionExtInfo>();
  const section = (name: string): SectionExtInfo => {
    let info = out.get(name);
    if (!info) {
      info = { funcInfo: [], lineInfo: [], coreRelos: [] };
      out.set(name, info);
    }
    return info;
  };
  if (bytes.length < MIN_HEADER)
    throw new ObjectBtfError(`truncated header: ${bytes.length} bytes, need ${MIN_HEADER}`, where);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  if (v.getUint16(0, true) !== MAGIC)
    throw new ObjectBtfError(
      `bad magic 0x${v.getUint16(0, true).toString(16)} (expected 0x${MAGIC.toString(16)})`,
      `${where} byte 0`,
    );
  if (v.getUint8(2) !== 1) throw new ObjectBtfError(`unsupported version ${v.getUint8(2)}`, `${where} byte 2`);
  const hdrLen = v.getUint32(4, true);
  if (hdrLen < MIN_HEADER || hdrLen > bytes.length)
    throw new ObjectBtfError(`header length ${hdrLen} is invalid (${bytes.length} bytes)`, `${where} byte 4`);
  const body = bytes.length - hdrLen;

  const str = (off: number, at: number): string => {
    try {
      return btf.stringAt(off);
    } catch (err) {
      if (err instanceof BtfError)
        throw new ObjectBtfError(`string offset ${off} is not in the object's BTF strings`, `${where} byte ${at}`, {
          cause: err,
        });
      throw err;
    }
  };

  const walk = (
    infoOff: number,
    infoLen: number,
    what: string,
    minRec: number,
    record: (sec: string, at: number) => void,
  ): void => {
    if (infoLen === 0) return;
    if (infoOff > body || infoLen > body - infoOff)
      throw new ObjectBtfError(`${what} [${infoOff}, +${infoLen}) lies outside the section`, where);
    let at = hdrLen + infoOff;
    const end = at + infoLen;
    if (infoLen < 4) throw new ObjectBtfError(`${what} is too short for its record size`, `${where} byte ${at}`);
    const recSize = v.getUint32(at, true);
    if (recSize < minRec || recSize % 4 !== 0 || recSize > 1024)
      throw new ObjectBtfError(`${what} record size ${recSize} is invalid (at least ${minRec})`, `${where} byte ${at}`);
    at += 4;
    while (at < end) {
      if (end - at < 8) throw new ObjectBtfError(`${what}: truncated section block`, `${where} byte ${at}`);
      const secName = str(v.getUint32(at, true), at);
      const count = v.getUint32(at + 4, true);
      at += 8;
      if (count === 0)
        throw new ObjectBtfError(`${what} block for section "${secName}" has no records`, `${where} byte ${at - 4}`);
      if (count > (end - at) / recSize)
        throw new ObjectBtfError(
          `${what}: ${count} records for section "${secName}" do not fit`,
          `${where} byte ${at - 4}`,
        );
      for (let i = 0; i < count; i++, at += recSize) record(secName, at);
    }
  };

  const funcOff = v.getUint32(8, true),
    funcLen = v.getUint32(12, true);
  const lineOff = v.getUint32(16, true),
    lineLen = v.getUint32(20, true);
  walk(funcOff, funcLen, "func_info", 8, (sec, at) => {
    section(sec).funcInfo.push({ insnOffset: v.getUint32(at, true), typeId: v.getUint32(at + 4, true) });
  });
  walk(lineOff, lineLen, "line_info", 16, (sec, at) => {
    section(sec).lineInfo.push({
      insnOffset: v.getUint32(at, true),
      fileNameOff: v.getUint32(at + 4, true),
      lineOff: v.getUint32(at + 8, true),
      lineCol: v.getUint32(at + 12, true),
    });
  });
  if (hdrLen >= 32) {
    const coreOff = v.getUint32(24, true),
      coreLen = v.getUint32(28, true);
    walk(coreOff, coreLen, "CO-RE relocations", 16, (sec, at) => {
      section(sec).coreRelos.push({
        insnOffset: v.getUint32(at, true),
        typeId: v.getUint32(at + 4, true),
        accessString: str(v.getUint32(at + 8, true), at + 8),
        kind: v.getUint32(at + 12, true),
      });
    });
  }
  return out;
}
