// Values of `.kconfig` externs: LINUX_KERNEL_VERSION and friends, and CONFIG_* options from the
// kernel's configuration (the text of /proc/config.gz), encoded the way libbpf encodes them: bool
// and tristate options as 0/1 (tristate "m" as 2), numbers as integers of the declared size,
// strings as NUL-terminated char arrays. Missing weak externs are zero; missing strong ones fail.
import { ExternError } from "./errors.js";
import type { BpfObjectFile, ExternDefinition } from "./object.js";

/** Parses kernel config text ("CONFIG_X=y", "# CONFIG_Y is not set") into a map. */
export function parseKernelConfig(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line.startsWith("CONFIG_")) {
      const eq = line.indexOf("=");
      if (eq > 0) out.set(line.slice(0, eq), line.slice(eq + 1));
    } else {
      const m = /^# (CONFIG_\w+) is not set$/.exec(line);
      if (m) out.set(m[1]!, "n");
    }
  }
  return out;
}

/** KERNEL_VERSION(a, b, c) of a release string like "6.18.44-fc-v769" (patch level clamped to 255). */
export function kernelVersionCode(release: string): number {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(release);
  if (!m) return 0;
  return (Number(m[1]) << 16) + (Number(m[2]) << 8) + Math.min(255, Number(m[3] ?? 0));
}

export interface KconfigValues {
  /** CONFIG_* options (from parseKernelConfig). */
  config?: ReadonlyMap<string, string>;
  /** Values of LINUX_* externs (LINUX_KERNEL_VERSION, LINUX_HAS_SYSCALL_WRAPPER, LINUX_HAS_BPF_COOKIE). */
  linux?: Readonly<Record<string, number | bigint | boolean>>;
}

function setInt(view: DataView, at: number, size: number, value: bigint, signed: boolean, ext: ExternDefinition): void {
  const bits = BigInt(size * 8);
  const min = signed ? -(1n << (bits - 1n)) : 0n;
  const max = signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
  if (value < min || value > max)
    throw new ExternError(
      `value ${value} does not fit ${signed ? "a signed" : "an unsigned"} ${size}-byte integer`,
      `extern "${ext.name}"`,
    );
  const v = BigInt.asUintN(64, value);
  for (let i = 0; i < size; i++) view.setUint8(at + i, Number((v >> BigInt(i * 8)) & 0xffn));
}

function parseNumber(text: string): bigint | undefined {
  const t = text.trim();
  if (/^-?0x[0-9a-f]+$/i.test(t)) return t.startsWith("-") ? -BigInt(t.slice(1)) : BigInt(t);
  if (/^-?0[0-7]*$/.test(t)) return t.startsWith("-") ? -BigInt(`0o${t.slice(1) || "0"}`) : BigInt(`0o${t || "0"}`);
  if (/^-?[1-9][0-9]*$/.test(t)) return BigInt(t);
  return undefined;
}

/** Fills `data` (the .kconfig map's value) with the externs' values. */
export function fillKconfig(obj: BpfObjectFile, data: Uint8Array, values: KconfigValues): void {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (const ext of obj.externs) {
    if (ext.kind !== "kconfig" || !ext.kconfig) continue;
    const { offset, size, type, signed } = ext.kconfig;
    const where = `extern "${ext.name}"`;
    if (offset + size > data.length)
      throw new ExternError(`value [${offset}, +${size}) lies outside the .kconfig map`, where);
    data.fill(0, offset, offset + size);
    if (ext.name.startsWith("LINUX_")) {
      const v = values.linux?.[ext.name];
      if (v === undefined) {
        if (ext.weak) continue;
        throw new ExternError(`unknown LINUX_ extern (known: ${Object.keys(values.linux ?? {}).join(", ")})`, where);
      }
      if (type === "bool" || type === "char" || type === "int")
        setInt(view, offset, size, typeof v === "boolean" ? (v ? 1n : 0n) : BigInt(v), signed, ext);
      else throw new ExternError(`LINUX_ externs must be integers or bools`, where);
      continue;
    }
    const text = values.config?.get(ext.name);
    if (text === undefined) {
      if (ext.weak) continue;
      throw new ExternError(
        "the kernel configuration has no such option (declare the extern __weak if it is optional)",
        where,
      );
    }
    if (text === "y" || text === "n" || text === "m") {
      const tri = text === "y" ? 1n : text === "m" ? 2n : 0n;
      switch (type) {
        case "bool":
          if (text === "m")
            throw new ExternError(`value "m" (a module) for a bool; declare it enum libbpf_tristate`, where);
          view.setUint8(offset, Number(tri));
          break;
        case "tristate":
          setInt(view, offset, size, tri, false, ext);
          break;
        case "char":
          view.setUint8(offset, text.charCodeAt(0));
          break;
        default:
          throw new ExternError(`value "${text}" does not fit a ${type}`, where);
      }
      continue;
    }
    if (text.startsWith('"')) {
      if (type !== "char_array") throw new ExternError(`a string value for a ${type}`, where);
      const body = text.endsWith('"') && text.length >= 2 ? text.slice(1, -1) : text.slice(1);
      const bytes = Buffer.from(body, "utf8").subarray(0, size - 1);
      data.set(bytes, offset);
      continue;
    }
    const n = parseNumber(text);
    if (n === undefined) throw new ExternError(`cannot parse value "${text}"`, where);
    if (type !== "int" && type !== "char") throw new ExternError(`a number for a ${type}`, where);
    setInt(view, offset, size, n, signed, ext);
  }
}
