// ELF output: the compiled module as a relocatable eBPF object in the layout clang produces and
// libbpf (so bpftool, cilium/ebpf, aya …) loads: one section per program named by kind
// (xdp, tc, tracepoint/CAT/NAME …), subprograms in .text, BTF-defined maps in .maps, global data in
// .rodata/.data/.bss, "license", .BTF with every type and function, .BTF.ext with func_info and
// line_info, and REL sections for map, data and call relocations.
import { Assembler } from "../asm/index.js";
import { BtfBuilder } from "../btf/encoder.js";
import { FuncLinkage, VarLinkage } from "../btf/kinds.js";
import { CONTEXT_STRUCTS, lineCol } from "../btf/ext.js";
import { PROG_TYPES } from "./contexts.js";
import { emitFunction, type Relocation } from "./codegen.js";
import { CoreTypes, CORE_FIELD_BYTE_OFFSET } from "./core.js";
import { reachable, type CompiledModule, type PreparedFunction } from "./compile.js";
import type { StructOpsVariable } from "./module.js";
import { INTS, type DataT } from "./ktypes.js";
import type { MapInfo } from "./values.js";

import {
  EHDR_SIZE,
  ELF_MAGIC,
  ELFCLASS64,
  ELFDATA2LSB,
  EM_BPF,
  ET_REL,
  R_BPF_64_32,
  R_BPF_64_64,
  R_BPF_64_ABS64,
  SectionFlags as SHF,
  SectionType as SHT,
  SymbolBind as STB,
  SymbolType as STT,
} from "../elf/constants.js";

interface Section {
  name: string;
  type: number;
  flags: number;
  data: Buffer;
  /** For NOBITS: the size without data. */
  size?: number;
  align: number;
  entsize?: number;
  link?: number;
  info?: number;
  index?: number;
}

interface Symbol {
  name: string;
  bind: number;
  type: number;
  section: number;
  value: number;
  size: number;
}

interface CodeSection {
  name: string;
  bytes: Buffer;
  functions: { name: string; insnOffset: number }[];
  lines: { insnOffset: number; file: string; line: number; column: number; text: string }[];
  relocations: Relocation[];
  isText: boolean;
}

/** Writes the module as an ELF relocatable object. */
export function writeElf(m: CompiledModule): Buffer {
  const { artifact, functions, module } = m;
  const mains = new Set(m.programs.map((p) => p.name));

  // ---- code: each program alone in its section, every subprogram once in .text
  const subNames = new Set<string>();
  for (const p of m.programs) for (const n of reachable(p.name, functions)) if (!mains.has(n)) subNames.add(n);
  const code: CodeSection[] = [];
  for (const p of m.programs) {
    const a = new Assembler();
    const f = functions.get(p.name)!;
    const relocations = emitFunction(a, f.ir, f.order, f.alloc, { local: new Set([p.name]), isa: m.target.isa });
    const asm = a.assemble();
    code.push({
      name: artifact.programs.find((x) => x.name === p.name)!.section,
      bytes: asm.bytes,
      functions: asm.functions,
      lines: asm.lines,
      relocations,
      isText: false,
    });
  }
  if (subNames.size) {
    const a = new Assembler();
    const relocations: Relocation[] = [];
    for (const n of subNames) {
      const f = functions.get(n)!;
      relocations.push(...emitFunction(a, f.ir, f.order, f.alloc, { local: subNames, isa: m.target.isa }));
    }
    const asm = a.assemble();
    code.push({
      name: ".text",
      bytes: asm.bytes,
      functions: asm.functions,
      lines: asm.lines,
      relocations,
      isText: true,
    });
  }
  // Several programs may share a section name (two XDP programs): libbpf allows it, but each
  // needs its own symbol; keep them apart by appending them to one section.
  const merged: CodeSection[] = [];
  for (const c of code) {
    const same = merged.find((x) => x.name === c.name);
    if (!same) {
      merged.push({ ...c, functions: [...c.functions], lines: [...c.lines], relocations: [...c.relocations] });
      continue;
    }
    const base = same.bytes.length / 8;
    same.functions.push(...c.functions.map((f) => ({ ...f, insnOffset: f.insnOffset + base })));
    same.lines.push(...c.lines.map((l) => ({ ...l, insnOffset: l.insnOffset + base })));
    same.relocations.push(...c.relocations.map((r) => ({ ...r, slot: r.slot + base })));
    same.bytes = Buffer.concat([same.bytes, c.bytes]);
  }

  // ---- BTF
  const btf = new BtfBuilder();
  const types = new BtfTypes(btf);
  const funcIds = new Map<string, number>();
  const voidPtr = btf.addPtr(0);
  const int = types.int();
  const long = btf.addInt("long", 8, { signed: true });
  for (const c of merged) {
    for (const fn of c.functions) {
      const prepared: PreparedFunction | undefined = functions.get(fn.name);
      let proto: number;
      const program = m.programs.find((p) => p.name === fn.name);
      if (program) {
        // The context as clang types it (struct __sk_buff *…): the verifier then knows the argument.
        const ctxName = CONTEXT_STRUCTS[PROG_TYPES[program.kind]];
        const ctxPtr = ctxName ? btf.addPtr(btf.addStruct(ctxName, 0)) : voidPtr;
        proto = btf.addFuncProto(int, [{ name: "ctx", type: ctxPtr }]);
      } else {
        const params = Array.from({ length: prepared?.ir.argCount ?? 0 }, (_, i) => ({ name: `arg${i}`, type: long }));
        proto = btf.addFuncProto(prepared?.ir.returnsValue ? long : int, params);
      }
      funcIds.set(fn.name, btf.addFunc(fn.name, proto, mains.has(fn.name) ? FuncLinkage.GLOBAL : FuncLinkage.STATIC));
    }
  }

  // .maps: one variable per map, a struct of pointers the way libbpf's __uint/__type macros write them.
  const mapVars: { name: string; offset: number; size: number; var: number }[] = [];
  let mapsSize = 0;
  /** A map definition struct; `inner` adds `values`: a zero-length array of pointers to the inner map's (libbpf's __array). */
  const mapDef = (
    info: typeof module.maps extends Map<unknown, infer I> ? I : never,
    isInner: boolean,
  ): { struct: number; size: number } => {
    const members: { name: string; type: number }[] = [];
    const uint = (name: string, value: number) =>
      members.push({ name, type: btf.addPtr(btf.addArray(int, value, int)) });
    uint("type", info.type);
    if (info.mapType !== "ringbuf" && info.mapType !== "user_ringbuf") {
      if (info.key) members.push({ name: "key", type: btf.addPtr(types.of(info.key)) });
      else if (info.mapType.endsWith("_storage"))
        members.push({ name: "key", type: btf.addPtr(int) }); // local storage needs BTF for its key
      // The kernel takes a value type only with a key type (void keys are for one-entry .data
      // arrays): arrays, whose key is an index, get `unsigned int`.
      else if (info.value && info.keySize === 4) members.push({ name: "key", type: btf.addPtr(types.of(INTS.u32!)) });
      else if (info.keySize) uint("key_size", info.keySize);
      if (info.value) members.push({ name: "value", type: btf.addPtr(types.of(info.value)) });
      else if (info.valueSize) uint("value_size", info.valueSize);
    }
    if (info.maxEntries) uint("max_entries", info.maxEntries);
    if (info.flags) uint("map_flags", info.flags);
    if (info.pinning === "byName" && !isInner) uint("pinning", 1);
    if (info.extra) uint("map_extra", info.extra);
    const size = members.length * 8;
    if (info.inner) {
      if (isInner) throw new Error(`map ${info.name}: an inner map cannot hold maps itself`);
      const innerDef = mapDef(info.inner, true);
      members.push({ name: "values", type: btf.addArray(btf.addPtr(innerDef.struct), 0, int) });
    }
    const struct = btf.addStruct(
      "",
      size,
      members.map((mm, i) => ({ name: mm.name, type: mm.type, bitOffset: i * 64 })),
    );
    return { struct, size };
  };
  for (const info of module.maps.values()) {
    const { struct: structId, size } = mapDef(info, false);
    const v = btf.addVar(info.name, structId, VarLinkage.GLOBAL_ALLOCATED);
    mapVars.push({ name: info.name, offset: mapsSize, size, var: v });
    mapsSize += size;
  }
  if (mapVars.length)
    btf.addDatasec(
      ".maps",
      mapsSize,
      mapVars.map((v) => ({ type: v.var, offset: v.offset, size: v.size })),
    );

  const dataSections = [...module.sections.values()];
  for (const s of dataSections) {
    const vars = s.vars.map((g) => ({
      type: btf.addVar(g.name, types.of(g.t), VarLinkage.GLOBAL_ALLOCATED),
      offset: g.offset,
      size: g.t.size,
    }));
    btf.addDatasec(s.name, s.size, vars);
  }
  // struct_ops: each variable a struct of the kernel's name holding the members it sets (clang's
  // layout for `SEC(".struct_ops") struct tcp_congestion_ops x = { .init = (void *)f, … }`).
  const structOpsSections = new Map<string, { size: number; vars: { so: StructOpsVariable; offset: number }[] }>();
  const char = btf.addInt("char", 1, { char: true });
  for (const so of module.structOps) {
    const section = so.link ? ".struct_ops.link" : ".struct_ops";
    const sec = structOpsSections.get(section) ?? { size: 0, vars: [] };
    structOpsSections.set(section, sec);
    const offset = Math.ceil(sec.size / 8) * 8;
    sec.vars.push({ so, offset });
    sec.size = offset + so.data.length;
  }
  for (const [section, sec] of structOpsSections) {
    const vars = sec.vars.map(({ so, offset }) => {
      const callback = btf.addPtr(btf.addFuncProto(long, []));
      const members = [...so.members]
        .sort((a, b) => a.offset - b.offset)
        .map((mm) => ({
          name: mm.name,
          type: mm.isFunction
            ? callback
            : mm.size === 1 || mm.size === 2 || mm.size === 4 || mm.size === 8
              ? btf.addInt(`__u${mm.size * 8}`, mm.size)
              : btf.addArray(char, mm.size, int),
          bitOffset: mm.offset * 8,
        }));
      const struct = btf.addStruct(so.struct, so.data.length, members);
      return {
        type: btf.addVar(so.name, struct, VarLinkage.GLOBAL_ALLOCATED),
        offset,
        size: so.data.length,
      };
    });
    btf.addDatasec(section, sec.size, vars);
  }
  const licenseArray = btf.addArray(char, 4, int);
  const licenseVar = btf.addVar("LICENSE", licenseArray, VarLinkage.GLOBAL_ALLOCATED);
  btf.addDatasec("license", 4, [{ type: licenseVar, offset: 0, size: 4 }]);

  // CO-RE: the kernel types the code reads by field name, as local BTF the relocations point into.
  const coreTypes = new CoreTypes(module.btf());
  for (const c of merged) for (const r of c.relocations) if (r.kind === "core") coreTypes.add(r.core);
  const locate = coreTypes.empty ? undefined : coreTypes.emit(btf);

  // ---- .BTF.ext: func_info, line_info and CO-RE relocations per code section (offsets in bytes)
  const funcInfo: Buffer[] = [u32(8)];
  const lineInfo: Buffer[] = [u32(16)];
  for (const c of merged) {
    const sec = btf.addString(c.name);
    const fi = c.functions.map((f) => Buffer.concat([u32(f.insnOffset * 8), u32(funcIds.get(f.name)!)]));
    funcInfo.push(u32(sec), u32(fi.length), ...fi);
    const byInsn = new Map<number, CodeSection["lines"][number]>();
    for (const l of c.lines) byInsn.set(l.insnOffset, l);
    const lines = [...byInsn.values()].sort((x, y) => x.insnOffset - y.insnOffset);
    const li = lines.map((l) =>
      Buffer.concat([
        u32(l.insnOffset * 8),
        u32(btf.addString(l.file)),
        u32(btf.addString(l.text)),
        u32(lineCol(l.line, l.column)),
      ]),
    );
    lineInfo.push(u32(sec), u32(li.length), ...li);
  }
  const coreInfo: Buffer[] = [];
  if (locate) {
    coreInfo.push(u32(16));
    for (const c of merged) {
      const recs = c.relocations.flatMap((r) => (r.kind === "core" ? [r] : []));
      if (recs.length === 0) continue;
      coreInfo.push(u32(btf.addString(c.name)), u32(recs.length));
      for (const r of recs) {
        const { type, access } = locate(r.core);
        coreInfo.push(
          u32(r.slot * 8),
          u32(type),
          u32(btf.addString(access)),
          u32(r.core.kind ?? CORE_FIELD_BYTE_OFFSET),
        );
      }
    }
  }
  const fiBuf = Buffer.concat(funcInfo),
    liBuf = Buffer.concat(lineInfo),
    crBuf = Buffer.concat(coreInfo);
  const extHeader = Buffer.alloc(32);
  extHeader.writeUInt16LE(0xeb9f, 0);
  extHeader.writeUInt8(1, 2);
  extHeader.writeUInt8(0, 3);
  extHeader.writeUInt32LE(32, 4);
  extHeader.writeUInt32LE(0, 8);
  extHeader.writeUInt32LE(fiBuf.length, 12);
  extHeader.writeUInt32LE(fiBuf.length, 16);
  extHeader.writeUInt32LE(liBuf.length, 20);
  extHeader.writeUInt32LE(fiBuf.length + liBuf.length, 24);
  extHeader.writeUInt32LE(crBuf.length, 28);
  const btfExt = Buffer.concat([extHeader, fiBuf, liBuf, crBuf]);
  const btfBlob = btf.build();

  // ---- sections and symbols
  const sections: Section[] = [{ name: "", type: SHT.NULL, flags: 0, data: Buffer.alloc(0), align: 0 }];
  const add = (s: Section): number => {
    s.index = sections.length;
    sections.push(s);
    return s.index;
  };
  const strtab: Section = { name: ".strtab", type: SHT.STRTAB, flags: 0, data: Buffer.alloc(0), align: 1 };
  add(strtab);
  const codeIndex = new Map<string, number>();
  for (const c of merged) {
    codeIndex.set(
      c.name,
      add({ name: c.name, type: SHT.PROGBITS, flags: SHF.ALLOC | SHF.EXECINSTR, data: c.bytes, align: 8 }),
    );
  }
  const licenseIndex = add({
    name: "license",
    type: SHT.PROGBITS,
    flags: SHF.ALLOC | SHF.WRITE,
    data: Buffer.from("GPL\0"),
    align: 1,
  });
  const mapsIndex = mapVars.length
    ? add({ name: ".maps", type: SHT.PROGBITS, flags: SHF.ALLOC | SHF.WRITE, data: Buffer.alloc(mapsSize), align: 8 })
    : 0;
  const structOpsIndex = new Map<string, number>();
  for (const [section, sec] of structOpsSections) {
    const data = Buffer.alloc(sec.size);
    for (const { so, offset } of sec.vars) data.set(so.data, offset);
    structOpsIndex.set(
      section,
      add({ name: section, type: SHT.PROGBITS, flags: SHF.ALLOC | SHF.WRITE, data, align: 8 }),
    );
  }
  const dataIndex = new Map<string, number>();
  for (const s of dataSections) {
    if (s.name === ".bss")
      dataIndex.set(
        s.name,
        add({
          name: s.name,
          type: SHT.NOBITS,
          flags: SHF.ALLOC | SHF.WRITE,
          data: Buffer.alloc(0),
          size: s.size,
          align: 8,
        }),
      );
    else
      dataIndex.set(
        s.name,
        add({
          name: s.name,
          type: SHT.PROGBITS,
          flags: SHF.ALLOC | (s.name === ".data" ? SHF.WRITE : 0),
          data: Buffer.from(s.init.subarray(0, s.size)),
          align: 8,
        }),
      );
  }

  const locals: Symbol[] = [],
    globals: Symbol[] = [];
  for (const c of merged) {
    const idx = codeIndex.get(c.name)!;
    const fns = [...c.functions].sort((x, y) => x.insnOffset - y.insnOffset);
    fns.forEach((f, i) => {
      const end = (fns[i + 1]?.insnOffset ?? c.bytes.length / 8) * 8;
      const sym = {
        name: f.name,
        bind: c.isText ? STB.LOCAL : STB.GLOBAL,
        type: STT.FUNC,
        section: idx,
        value: f.insnOffset * 8,
        size: end - f.insnOffset * 8,
      };
      (c.isText ? locals : globals).push(sym);
    });
  }
  for (const [name, idx] of dataIndex)
    locals.push({ name, bind: STB.LOCAL, type: STT.SECTION, section: idx, value: 0, size: 0 });
  const textIndex = codeIndex.get(".text");
  if (textIndex !== undefined)
    locals.push({ name: ".text", bind: STB.LOCAL, type: STT.SECTION, section: textIndex, value: 0, size: 0 });
  const textOffset = (fn: string): number => {
    const f = merged.find((c) => c.isText)?.functions.find((x) => x.name === fn);
    if (!f) throw new Error(`internal: ${fn} is not in .text`);
    return f.insnOffset * 8;
  };
  for (const s of dataSections)
    for (const g of s.vars)
      globals.push({
        name: g.name,
        bind: STB.GLOBAL,
        type: STT.OBJECT,
        section: dataIndex.get(s.name)!,
        value: g.offset,
        size: g.t.size,
      });
  for (const v of mapVars)
    globals.push({
      name: v.name,
      bind: STB.GLOBAL,
      type: STT.OBJECT,
      section: mapsIndex,
      value: v.offset,
      size: v.size,
    });
  for (const [section, sec] of structOpsSections)
    for (const { so, offset } of sec.vars)
      globals.push({
        name: so.name,
        bind: STB.GLOBAL,
        type: STT.OBJECT,
        section: structOpsIndex.get(section)!,
        value: offset,
        size: so.data.length,
      });
  globals.push({ name: "LICENSE", bind: STB.GLOBAL, type: STT.OBJECT, section: licenseIndex, value: 0, size: 4 });
  const symbols: Symbol[] = [{ name: "", bind: 0, type: 0, section: 0, value: 0, size: 0 }, ...locals, ...globals];
  const symbolIndex = (pred: (s: Symbol) => boolean, what: string): number => {
    const i = symbols.findIndex(pred);
    if (i < 0) throw new Error(`internal: no ELF symbol for ${what}`);
    return i;
  };

  // Relocations: patch the instruction copies the way clang leaves them (imm = addend).
  const relSections: { target: number; data: Buffer }[] = [];
  for (const c of merged) {
    if (!c.relocations.some((r) => r.kind !== "core")) continue;
    const rel: Buffer[] = [];
    for (const r of c.relocations) {
      const at = r.slot * 8;
      if (r.kind === "core") continue; // in .BTF.ext
      if (r.kind === "map") {
        c.bytes.writeInt32LE(0, at + 4);
        rel.push(
          relEntry(
            at,
            symbolIndex((s) => s.type === STT.OBJECT && s.section === mapsIndex && s.name === r.map, `map ${r.map}`),
            R_BPF_64_64,
          ),
        );
      } else if (r.kind === "global") {
        // Against the section symbol: imm carries the offset in the section; the second slot stays 0.
        c.bytes.writeInt32LE(r.offset, at + 4);
        c.bytes.writeInt32LE(0, at + 12);
        c.bytes[at + 1] = c.bytes[at + 1]! & 0x0f;
        rel.push(
          relEntry(
            at,
            symbolIndex((s) => s.type === STT.SECTION && s.section === dataIndex.get(r.section), r.section),
            R_BPF_64_64,
          ),
        );
      } else if (r.kind === "call") {
        // Like clang for static functions: against the .text section symbol, imm = target slot - 1.
        c.bytes.writeInt32LE(textOffset(r.target) / 8 - 1, at + 4);
        rel.push(
          relEntry(
            at,
            symbolIndex((s) => s.type === STT.SECTION && s.name === ".text", ".text"),
            R_BPF_64_32,
          ),
        );
      } else {
        // Address of a subprogram (bpf_loop callback): against .text, imm = its byte offset.
        c.bytes.writeInt32LE(textOffset(r.target), at + 4);
        c.bytes[at + 1] = c.bytes[at + 1]! & 0x0f;
        rel.push(
          relEntry(
            at,
            symbolIndex((s) => s.type === STT.SECTION && s.name === ".text", ".text"),
            R_BPF_64_64,
          ),
        );
      }
    }
    // Map loads were emitted as pseudo map fd loads: libbpf wants plain ld_imm64 with src 0.
    for (const r of c.relocations) if (r.kind === "map") c.bytes[r.slot * 8 + 1] = c.bytes[r.slot * 8 + 1]! & 0x0f;
    relSections.push({ target: codeIndex.get(c.name)!, data: Buffer.concat(rel) });
  }
  // struct_ops function pointers: 64-bit addresses of the programs (zeros in the section).
  for (const [section, sec] of structOpsSections) {
    const rel: Buffer[] = [];
    for (const { so, offset } of sec.vars)
      for (const mm of so.members)
        if (mm.program)
          rel.push(
            relEntry(
              offset + mm.offset,
              symbolIndex((s) => s.type === STT.FUNC && s.name === mm.program, `program ${mm.program}`),
              R_BPF_64_ABS64,
            ),
          );
    relSections.push({ target: structOpsIndex.get(section)!, data: Buffer.concat(rel) });
  }
  const symtabIndexPlaceholder = sections.length + relSections.length + 2; // after .rel*, .BTF, .BTF.ext
  for (const r of relSections) {
    add({
      name: `.rel${sections[r.target]!.name}`,
      type: SHT.REL,
      flags: 0,
      data: r.data,
      align: 8,
      entsize: 16,
      link: symtabIndexPlaceholder,
      info: r.target,
    });
  }
  add({ name: ".BTF", type: SHT.PROGBITS, flags: 0, data: btfBlob, align: 4 });
  add({ name: ".BTF.ext", type: SHT.PROGBITS, flags: 0, data: btfExt, align: 4 });
  // Code sections were patched in place above; refresh their data.
  for (const c of merged) sections[codeIndex.get(c.name)!]!.data = c.bytes;

  // String table (section and symbol names).
  const strings = new StringTable();
  for (const s of sections) strings.add(s.name);
  strings.add(".symtab");
  for (const s of symbols) strings.add(s.name);
  const symtab = Buffer.alloc(symbols.length * 24);
  symbols.forEach((s, i) => {
    const o = i * 24;
    symtab.writeUInt32LE(strings.add(s.name), o);
    symtab.writeUInt8((s.bind << 4) | s.type, o + 4);
    symtab.writeUInt8(0, o + 5);
    symtab.writeUInt16LE(s.section, o + 6);
    symtab.writeBigUInt64LE(BigInt(s.value), o + 8);
    symtab.writeBigUInt64LE(BigInt(s.size), o + 16);
  });
  const symtabIndex = add({
    name: ".symtab",
    type: SHT.SYMTAB,
    flags: 0,
    data: symtab,
    align: 8,
    entsize: 24,
    link: strtab.index,
    info: 1 + locals.length,
  });
  if (symtabIndex !== symtabIndexPlaceholder) throw new Error("internal: symbol table index moved");
  strtab.data = strings.build();

  // ---- layout: header, section contents, section headers
  const out: Buffer[] = [];
  let offset = 64;
  const offsets: number[] = [];
  for (const s of sections) {
    const align = Math.max(s.align, 1);
    const pad = (align - (offset % align)) % align;
    if (pad) {
      out.push(Buffer.alloc(pad));
      offset += pad;
    }
    offsets.push(offset);
    if (s.type !== SHT.NOBITS) {
      out.push(s.data);
      offset += s.data.length;
    }
  }
  const shPad = (8 - (offset % 8)) % 8;
  if (shPad) {
    out.push(Buffer.alloc(shPad));
    offset += shPad;
  }
  const shoff = offset;
  const headers = Buffer.alloc(sections.length * 64);
  sections.forEach((s, i) => {
    const o = i * 64;
    headers.writeUInt32LE(i === 0 ? 0 : strings.add(s.name), o);
    headers.writeUInt32LE(s.type, o + 4);
    headers.writeBigUInt64LE(BigInt(s.flags), o + 8);
    headers.writeBigUInt64LE(0n, o + 16);
    headers.writeBigUInt64LE(BigInt(i === 0 ? 0 : offsets[i]!), o + 24);
    headers.writeBigUInt64LE(BigInt(s.type === SHT.NOBITS ? (s.size ?? 0) : s.data.length), o + 32);
    headers.writeUInt32LE(s.link ?? 0, o + 40);
    headers.writeUInt32LE(s.info ?? 0, o + 44);
    headers.writeBigUInt64LE(BigInt(s.align), o + 48);
    headers.writeBigUInt64LE(BigInt(s.entsize ?? 0), o + 56);
  });
  const header = Buffer.alloc(EHDR_SIZE);
  header.writeUInt32BE(ELF_MAGIC, 0);
  header.set([ELFCLASS64, ELFDATA2LSB, 1, 0], 4); // EV_CURRENT, System V ABI
  header.writeUInt16LE(ET_REL, 16);
  header.writeUInt16LE(EM_BPF, 18);
  header.writeUInt32LE(1, 20); // EV_CURRENT
  header.writeBigUInt64LE(0n, 24); // entry
  header.writeBigUInt64LE(0n, 32); // phoff
  header.writeBigUInt64LE(BigInt(shoff), 40);
  header.writeUInt32LE(0, 48); // flags
  header.writeUInt16LE(64, 52); // ehsize
  header.writeUInt16LE(0, 54); // phentsize
  header.writeUInt16LE(0, 56); // phnum
  header.writeUInt16LE(64, 58); // shentsize
  header.writeUInt16LE(sections.length, 60);
  header.writeUInt16LE(strtab.index!, 62); // shstrndx
  return Buffer.concat([header, ...out, headers]);
}

function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0, 0);
  return b;
}

function relEntry(offset: number, symbol: number, type: number): Buffer {
  const b = Buffer.alloc(16);
  b.writeBigUInt64LE(BigInt(offset), 0);
  b.writeBigUInt64LE((BigInt(symbol) << 32n) | BigInt(type), 8);
  return b;
}

class StringTable {
  private readonly offsets = new Map<string, number>([["", 0]]);
  private readonly parts: Buffer[] = [Buffer.from([0])];
  private size = 1;
  add(s: string): number {
    let off = this.offsets.get(s);
    if (off === undefined) {
      off = this.size;
      const b = Buffer.from(`${s}\0`, "utf8");
      this.parts.push(b);
      this.size += b.length;
      this.offsets.set(s, off);
    }
    return off;
  }
  build(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** BTF for the compiler's data types (deduplicated by identity). */
class BtfTypes {
  private readonly ids = new Map<DataT, number>();
  private readonly ints = new Map<string, number>();
  constructor(private readonly btf: BtfBuilder) {}

  int(): number {
    return this.intNamed("int", 4, true);
  }

  private intNamed(
    name: string,
    size: number,
    signed: boolean,
    extra: { bool?: boolean; char?: boolean } = {},
  ): number {
    let id = this.ints.get(name);
    if (id === undefined) {
      id = this.btf.addInt(name, size, { signed, ...extra });
      this.ints.set(name, id);
    }
    return id;
  }

  of(t: DataT): number {
    const hit = this.ids.get(t);
    if (hit !== undefined) return hit;
    let id: number;
    if (t.kind === "int") {
      const names: Record<string, [string, boolean]> = {
        u8: ["unsigned char", false],
        i8: ["signed char", true],
        u16: ["unsigned short", false],
        i16: ["short", true],
        u32: ["unsigned int", false],
        i32: ["int", true],
        u64: ["unsigned long long", false],
        i64: ["long long", true],
        be16: ["unsigned short", false],
        be32: ["unsigned int", false],
        be64: ["unsigned long long", false],
      };
      if (t.bool) id = this.intNamed("_Bool", 1, false, { bool: true });
      else {
        const [name, signed] = names[t.name] ?? [`${t.signed ? "" : "unsigned "}int${t.size * 8}`, t.signed];
        id = this.intNamed(name, t.size, signed);
        if (t.be) id = this.btf.addTypedef(`__be${t.size * 8}`, id);
      }
    } else if (t.kind === "array") {
      id = this.btf.addArray(
        t.flavor === "string" ? this.intNamed("char", 1, false, { char: true }) : this.of(t.elem),
        t.length,
        this.int(),
      );
    } else {
      id = this.btf.addStruct(
        t.name,
        t.size,
        t.fields.map((f) => ({ name: f.name, type: this.of(f.type), bitOffset: f.offset * 8 })),
      );
    }
    this.ids.set(t, id);
    return id;
  }
}

export type { MapInfo };
