// The object's BTF as the kernel will accept it. Clang leaves what only the loader can know:
// DATASEC sizes and variable offsets are zero (they come from the ELF section and symbols), and
// extern variables and functions (.kconfig, .ksyms) have a linkage the kernel refuses. Like
// libbpf, this rewrites those words in a copy of the blob — type ids do not change, so func_info
// and CO-RE results computed against the object's BTF stay valid — and appends what is needed
// (a dummy VAR standing in for extern functions in .ksyms).
import { BtfKind } from "../btf/kinds.js";
import { SymbolBind, SymbolType, SymbolVisibility } from "../elf/constants.js";
import { ObjectBtfError } from "./errors.js";
import type { BpfObjectFile } from "./object.js";

const HEADER = 24;

function recordWords(info: number): number {
  const kind = (info >>> 24) & 0x1f;
  const vlen = info & 0xffff;
  switch (kind) {
    case BtfKind.INT:
    case BtfKind.VAR:
    case BtfKind.DECL_TAG:
      return 4;
    case BtfKind.ARRAY:
      return 6;
    case BtfKind.STRUCT:
    case BtfKind.UNION:
    case BtfKind.DATASEC:
    case BtfKind.ENUM64:
      return 3 + 3 * vlen;
    case BtfKind.ENUM:
    case BtfKind.FUNC_PROTO:
      return 3 + 2 * vlen;
    default:
      return 3;
  }
}

/** Returns the BTF blob to hand to BPF_BTF_LOAD for this object (undefined when it has no BTF). */
export function kernelBtfBlob(obj: BpfObjectFile): Uint8Array | undefined {
  const blob = obj.btfBytes;
  if (!blob || !obj.btf) return undefined;
  const v = new DataView(blob.buffer, blob.byteOffset, blob.length);
  const hdrLen = v.getUint32(4, true);
  const typeOff = v.getUint32(8, true),
    typeLen = v.getUint32(12, true);
  const strOff = v.getUint32(16, true),
    strLen = v.getUint32(20, true);
  const words = new Uint32Array(typeLen / 4);
  for (let i = 0; i < words.length; i++) words[i] = v.getUint32(hdrLen + typeOff + i * 4, true);
  const strings = Buffer.from(blob.subarray(hdrLen + strOff, hdrLen + strOff + strLen));
  const extraStrings: string[] = [];
  const extraWords: number[] = [];
  const addString = (s: string): number => {
    const off = strings.length + extraStrings.reduce((n, x) => n + Buffer.byteLength(x) + 1, 0);
    extraStrings.push(s);
    return off;
  };

  // Word offset of every type id.
  const at: number[] = [0];
  for (let w = 0; w < words.length; w += recordWords(words[w + 1]!)) at.push(w);
  const typeCount = at.length; // ids 1 .. typeCount-1
  let nextId = typeCount;
  const name = (id: number): string => obj.btf!.nameOf(id);
  const kind = (id: number): number => (id > 0 && id < typeCount ? (words[at[id]! + 1]! >>> 24) & 0x1f : 0);

  let int32 = 0;
  for (let id = 1; id < typeCount && int32 === 0; id++) {
    if (kind(id) === BtfKind.INT && (words[at[id]! + 3]! & 0xff) === 32) int32 = id;
  }
  const needInt = (): number => {
    if (int32 === 0) {
      extraWords.push(addString("int"), (BtfKind.INT << 24) >>> 0, 4, ((1 << 24) | 32) >>> 0);
      int32 = nextId++;
    }
    return int32;
  };

  const elfSection = (n: string): number | undefined => obj.elf.sections.find((s) => s.name === n)?.size;
  const kconfigSize = obj.maps.find((m) => m.origin === "kconfig")?.valueSize ?? 0;

  for (let id = 1; id < typeCount; id++) {
    if (kind(id) === BtfKind.FUNC) {
      const fn = obj.subprograms.find((p) => p.markBtfStatic && p.name === name(id));
      if (fn && (words[at[id]! + 1]! & 0xffff) === 1) words[at[id]! + 1] = (BtfKind.FUNC << 24) >>> 0; // static linkage
      continue;
    }
    if (kind(id) !== BtfKind.DATASEC) continue;
    const w = at[id]!;
    const secName = name(id);
    const vlen = words[w + 1]! & 0xffff;
    const entry = (i: number): number => w + 3 + i * 3; // type, offset, size
    if (secName === ".kconfig") {
      for (let i = 0; i < vlen; i++) {
        const varId = words[entry(i)]!;
        const ext = obj.externs.find((e) => e.kind === "kconfig" && e.name === name(varId));
        if (!ext || kind(varId) !== BtfKind.VAR)
          throw new ObjectBtfError(`.kconfig variable "${name(varId)}" has no extern definition`, `DATASEC ".kconfig"`);
        words[at[varId]! + 3] = 1; // GLOBAL_ALLOCATED
        words[entry(i) + 1] = ext.kconfig!.offset;
      }
      words[w + 2] = kconfigSize;
    } else if (secName === ".ksyms") {
      let dummy = 0;
      let dummyName = 0;
      for (let i = 0; i < vlen; i++) {
        const refId = words[entry(i)]!;
        if (kind(refId) === BtfKind.FUNC) {
          if (dummy === 0) {
            dummyName = addString("dummy_ksym");
            const intId = needInt();
            extraWords.push(dummyName, (BtfKind.VAR << 24) >>> 0, intId, 1);
            dummy = nextId++;
          }
          const fw = at[refId]!;
          words[fw + 1] = ((BtfKind.FUNC << 24) | 1) >>> 0; // extern → global
          const proto = words[fw + 2]!;
          if (kind(proto) === BtfKind.FUNC_PROTO) {
            const pw = at[proto]!;
            const n = words[pw + 1]! & 0xffff;
            // The kernel wants named parameters for functions; reuse the dummy's name.
            for (let p = 0; p < n; p++)
              if (words[pw + 3 + p * 2] === 0 && words[pw + 4 + p * 2] !== 0) words[pw + 3 + p * 2] = dummyName;
          }
          words[entry(i)] = dummy;
        } else if (kind(refId) === BtfKind.VAR) {
          words[at[refId]! + 3] = 1;
          words[at[refId]! + 2] = needInt();
        }
        words[entry(i) + 1] = i * 4;
        words[entry(i) + 2] = 4;
      }
      words[w + 2] = vlen * 4;
    } else {
      let fixOffsets = false;
      if (words[w + 2] === 0) {
        const size = elfSection(secName);
        if (!size)
          throw new ObjectBtfError(
            `cannot size DATASEC "${secName}": the object has no such section`,
            `DATASEC "${secName}"`,
          );
        words[w + 2] = size;
        fixOffsets = true;
      }
      const sec = obj.elf.sections.find((s) => s.name === secName);
      for (let i = 0; i < vlen; i++) {
        const varId = words[entry(i)]!;
        if (kind(varId) !== BtfKind.VAR) throw new ObjectBtfError(`entry ${i} is not a VAR`, `DATASEC "${secName}"`);
        const linkage = words[at[varId]! + 3]!;
        const varName = name(varId);
        const syms = obj.elf.symbols.filter(
          (s) => s.name === varName && s.type === SymbolType.OBJECT && (sec === undefined || s.shndx === sec.index),
        );
        const sym =
          syms.find((s) => s.bind === SymbolBind.GLOBAL || s.bind === SymbolBind.WEAK) ??
          (linkage === 0 ? syms[0] : undefined);
        if (linkage === 2) continue;
        if (!sym) {
          if (linkage === 0) continue;
          throw new ObjectBtfError(`no ELF symbol for variable "${varName}"`, `DATASEC "${secName}"`);
        }
        if (fixOffsets) words[entry(i) + 1] = sym.value;
        if (
          linkage !== 0 &&
          (sym.visibility === SymbolVisibility.HIDDEN || sym.visibility === SymbolVisibility.INTERNAL)
        )
          words[at[varId]! + 3] = 0;
      }
    }
    // The kernel wants variables in offset order.
    const entries: [number, number, number][] = [];
    for (let i = 0; i < vlen; i++) entries.push([words[entry(i)]!, words[entry(i) + 1]!, words[entry(i) + 2]!]);
    entries.sort((a, b) => a[1] - b[1]);
    entries.forEach((e, i) => {
      words[entry(i)] = e[0];
      words[entry(i) + 1] = e[1];
      words[entry(i) + 2] = e[2];
    });
  }

  const extraStr = Buffer.from(extraStrings.map((s) => `${s}\0`).join(""), "utf8");
  const newTypeLen = typeLen + extraWords.length * 4;
  const newStrLen = strLen + extraStr.length;
  const out = new Uint8Array(HEADER + newTypeLen + newStrLen);
  const ov = new DataView(out.buffer);
  ov.setUint16(0, 0xeb9f, true);
  ov.setUint8(2, 1);
  ov.setUint8(3, 0);
  ov.setUint32(4, HEADER, true);
  ov.setUint32(8, 0, true);
  ov.setUint32(12, newTypeLen, true);
  ov.setUint32(16, newTypeLen, true);
  ov.setUint32(20, newStrLen, true);
  for (let i = 0; i < words.length; i++) ov.setUint32(HEADER + i * 4, words[i]!, true);
  extraWords.forEach((x, i) => ov.setUint32(HEADER + typeLen + i * 4, x >>> 0, true));
  out.set(strings, HEADER + newTypeLen);
  out.set(extraStr, HEADER + newTypeLen + strings.length);
  return out;
}
