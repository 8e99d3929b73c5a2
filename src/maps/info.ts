// What the kernel says about a map: struct bpf_map_info read with BPF_OBJ_GET_INFO_BY_FD.
import { objInfo } from "../sys/bpf.js";
import { NativeMemory } from "../sys/libc.js";
import { enumName, MapType } from "../uapi.js";

export interface MapInfo {
  type: number;
  /** The map type's name in lower case, e.g. "hash", "percpu_array". */
  typeName: string;
  id: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags: number;
  name: string;
  ifindex: number;
  btfId: number;
  btfKeyTypeId: number;
  btfValueTypeId: number;
  mapExtra: bigint;
}

// struct bpf_map_info up to and including map_extra (offset 80). Older kernels fill less of it;
// the rest stays zero.
const INFO_SIZE = 88;
const infoBuffer = new NativeMemory(INFO_SIZE);

export function mapInfo(fd: number): MapInfo {
  infoBuffer.bytes.fill(0);
  objInfo(fd, infoBuffer);
  const v = infoBuffer.view;
  const nameBytes = infoBuffer.bytes.subarray(24, 40);
  const nul = nameBytes.indexOf(0);
  const type = v.getUint32(0, true);
  return {
    type,
    typeName: enumName(MapType, type),
    id: v.getUint32(4, true),
    keySize: v.getUint32(8, true),
    valueSize: v.getUint32(12, true),
    maxEntries: v.getUint32(16, true),
    flags: v.getUint32(20, true),
    name: nameBytes.toString("utf8", 0, nul < 0 ? 16 : nul),
    ifindex: v.getUint32(40, true),
    btfId: v.getUint32(64, true),
    btfKeyTypeId: v.getUint32(68, true),
    btfValueTypeId: v.getUint32(72, true),
    mapExtra: v.getBigUint64(80, true),
  };
}
