// `tsbpf map list` and `tsbpf map dump ID`: the maps in the kernel, and the keys and values of
// one map as raw bytes in hex (like bpftool). Per-CPU maps print one value per possible CPU.
import { getMap, listMaps, type MapRecord } from "../../introspect.js";
import { bytes } from "../../maps/codec.js";
import { BpfMap } from "../../maps/map.js";
import { LruPerCpuHashMap, PerCpuArrayMap, PerCpuHashMap } from "../../maps/per-cpu.js";
import { possibleCpus } from "../../sys/cpus.js";
import { errnoName, TsbpfError } from "../../errors.js";
import { NotSupportedError, SyscallError } from "../../sys/errors.js";
import { MapType } from "../../uapi.js";
import { parseCommandArgs, parseId, UsageError } from "../../cmdline/args.js";
import { jsonValue, LineWriter, type CommandIo } from "../../cmdline/io.js";
import { renderTable } from "../../cmdline/table.js";

export const name = "map";
export const summary = "list maps (map list), print a map's entries (map dump ID)";
export const usage = `usage: tsbpf map list [--json]
       tsbpf map dump ID [--json]

  list   every map in the kernel: id, type, name, key/value size, max entries, flags
  dump   the map's keys and values as hex bytes (per-CPU maps: one value per CPU)
Options:
  --json   one JSON object per line (NDJSON); dump prints {"key","value"} or {"key","values":[{"cpu","value"}]}`;

function mapJson(m: MapRecord): object {
  return {
    id: m.id,
    name: m.name,
    type: m.type,
    type_id: m.typeId,
    key_size: m.keySize,
    value_size: m.valueSize,
    max_entries: m.maxEntries,
    flags: m.flags,
    flag_names: m.flagNames,
    btf_id: m.btfId,
    ifindex: m.ifindex,
    map_extra: jsonValue(m.mapExtra),
  };
}

function list(json: boolean, out: LineWriter): void {
  const maps = listMaps();
  if (json) {
    for (const m of maps) out.json(mapJson(m));
    return;
  }
  for (const line of renderTable<MapRecord>(
    [
      { header: "ID", value: (m) => m.id },
      { header: "TYPE", value: (m) => m.type },
      { header: "NAME", value: (m) => m.name || "-" },
      { header: "KEY", value: (m) => m.keySize },
      { header: "VALUE", value: (m) => m.valueSize },
      { header: "MAX_ENTRIES", value: (m) => m.maxEntries },
      { header: "FLAGS", value: (m) => (m.flagNames.length ? m.flagNames.join(",") : "-") },
      { header: "BTF", value: (m) => m.btfId || "-", align: "right" },
    ],
    maps,
  ))
    out.line(line);
}

/** "01 00 00 00" (human) or "01000000" (JSON). */
const spaced = (b: Uint8Array): string =>
  Buffer.from(b.buffer, b.byteOffset, b.byteLength)
    .toString("hex")
    .replace(/(..)(?=.)/g, "$1 ");
const packed = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");

const u32le = (n: number): Uint8Array => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
};

type Value = Uint8Array | Uint8Array[];

/** What dump needs of a map: its keys, and the value (or per-CPU values) of a key, as bytes. */
interface ByteMap {
  keys(): Iterable<Uint8Array>;
  get(key: Uint8Array): Value | undefined;
  close(): void;
}

/** Opens the map read-only with byte codecs, as the right kind for its type. */
function openBytes(info: MapRecord): ByteMap {
  const key = bytes(info.keySize),
    value = bytes(info.valueSize);
  const options = { readOnly: true };
  switch (info.typeId) {
    case MapType.PERCPU_HASH:
      return PerCpuHashMap.fromId(info.id, key, value, options);
    case MapType.LRU_PERCPU_HASH:
      return LruPerCpuHashMap.fromId(info.id, key, value, options);
    case MapType.PERCPU_ARRAY: {
      const map = PerCpuArrayMap.fromId(info.id, value, options);
      // Array indexes are u32 keys: present them as their 4 bytes, like every other key.
      return {
        *keys() {
          for (const k of map.keys()) yield u32le(k);
        },
        get: (k) => map.get(new DataView(k.buffer, k.byteOffset, 4).getUint32(0, true)),
        close: () => map.close(),
      };
    }
    case MapType.PERCPU_CGROUP_STORAGE:
      throw new TsbpfError(`map ${info.id} is a percpu_cgroup_storage map, which map dump cannot read yet`);
    default:
      return BpfMap.fromId(info.id, key, value, options);
  }
}

function dump(id: number, json: boolean, out: LineWriter): number {
  const info = getMap(id);
  if (info.keySize === 0) {
    throw new TsbpfError(
      `map ${id} (${info.type}) has no keys: there is nothing to dump (queues, stacks, bloom filters and ring buffers are read by consuming them)`,
    );
  }
  const map = openBytes(info);
  const cpus = possibleCpus();
  let count = 0;
  try {
    for (const key of map.keys()) {
      let value: Value | undefined;
      let error: string | undefined;
      try {
        value = map.get(key);
      } catch (err) {
        if (!(err instanceof SyscallError || err instanceof NotSupportedError)) throw err;
        error = err instanceof SyscallError ? err.code : err.errno !== undefined ? errnoName(err.errno) : "unsupported";
      }
      if (value === undefined && error === undefined) continue; // deleted while we walked
      count++;
      if (json) {
        const record: Record<string, unknown> = { key: packed(key) };
        if (error !== undefined) record.error = error;
        else if (Array.isArray(value)) record.values = value.map((v, i) => ({ cpu: cpus[i] ?? i, value: packed(v) }));
        else record.value = packed(value!);
        out.json(record);
      } else if (error !== undefined) {
        out.line(`key: ${spaced(key)}  value: <cannot read: ${error}>`);
      } else if (Array.isArray(value)) {
        out.line(`key: ${spaced(key)}`);
        value.forEach((v, i) => out.line(`  value (CPU ${String(cpus[i] ?? i).padStart(2, "0")}): ${spaced(v)}`));
      } else {
        out.line(`key: ${spaced(key)}  value: ${spaced(value!)}`);
      }
    }
  } finally {
    map.close();
  }
  if (!json) out.line(`Found ${count} element${count === 1 ? "" : "s"}`);
  return 0;
}

export function run(argv: readonly string[], io: CommandIo): number {
  const { values, positionals } = parseCommandArgs(argv, {}, usage);
  if (values.help) {
    io.stdout(`${usage}\n`);
    return 0;
  }
  const [sub, ...rest] = positionals;
  const out = new LineWriter(io.stdout);
  try {
    switch (sub) {
      case "list":
      case "show":
      case undefined:
        if (rest.length) throw new UsageError(`map list takes no arguments (got "${rest[0]}")`, usage);
        list(values.json === true, out);
        return 0;
      case "dump":
        if (rest.length > 1) throw new UsageError(`map dump takes one id (got ${rest.length})`, usage);
        return dump(parseId(rest[0], "map", usage), values.json === true, out);
      default:
        throw new UsageError(`unknown map subcommand "${sub}"`, usage);
    }
  } finally {
    out.flush();
  }
}

export default { name, summary, usage, run };
