// The entries of a batch read kept by the caller: KeyValueMap.lookupBatchInto() copies each
// kernel batch out of the map's native buffers into one growing JavaScript buffer per column, and
// entries are decoded only when read. Reused from read to read, it makes reading a whole map cost
// no allocation per entry (lookupBatch() makes a [key, value] pair and its parts per entry).
import type { Codec, ScalarArrayConstructor } from "./codec.js";

/** A scalar key or value buffer seen as a typed array (see Codec.typedArray). */
export type Cells = { [index: number]: number | bigint };

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** `count` elements of `codec` at `byteOffset` of `buffer` as a typed array, when the codec is a scalar with one. */
export function cellsOf(
  codec: Codec<unknown>,
  buffer: ArrayBufferLike,
  byteOffset: number,
  count: number,
): Cells | undefined {
  const TypedArray = codec.typedArray;
  if (!littleEndian || TypedArray === undefined || TypedArray.BYTES_PER_ELEMENT !== codec.size || count === 0)
    return undefined;
  return new TypedArray(buffer as ArrayBuffer, byteOffset, count);
}

/** Writes and reads element i of scalar cells (a map's key or value buffers as a typed array). */
export interface CellAccess {
  put(cells: Cells, i: number, value: unknown): void;
  take(cells: Cells, i: number): unknown;
}

// One pair of functions per typed-array type, each its own function literal: V8 keeps type
// feedback per literal, so every element access stays monomorphic however many kinds of keys and
// values a program's maps have. One shared `cell[0] = v` site goes megamorphic as soon as a
// program uses maps of several scalar types, and then costs more than the copy it saves.
const ACCESS = new Map<ScalarArrayConstructor, CellAccess>([
  [Uint8Array, { put: (c, i, v) => void ((c as Uint8Array)[i] = v as number), take: (c, i) => (c as Uint8Array)[i] }],
  [Int8Array, { put: (c, i, v) => void ((c as Int8Array)[i] = v as number), take: (c, i) => (c as Int8Array)[i] }],
  [
    Uint16Array,
    { put: (c, i, v) => void ((c as Uint16Array)[i] = v as number), take: (c, i) => (c as Uint16Array)[i] },
  ],
  [Int16Array, { put: (c, i, v) => void ((c as Int16Array)[i] = v as number), take: (c, i) => (c as Int16Array)[i] }],
  [
    Uint32Array,
    { put: (c, i, v) => void ((c as Uint32Array)[i] = v as number), take: (c, i) => (c as Uint32Array)[i] },
  ],
  [Int32Array, { put: (c, i, v) => void ((c as Int32Array)[i] = v as number), take: (c, i) => (c as Int32Array)[i] }],
  [
    Float32Array,
    { put: (c, i, v) => void ((c as Float32Array)[i] = v as number), take: (c, i) => (c as Float32Array)[i] },
  ],
  [
    Float64Array,
    { put: (c, i, v) => void ((c as Float64Array)[i] = v as number), take: (c, i) => (c as Float64Array)[i] },
  ],
  [
    BigUint64Array,
    { put: (c, i, v) => void ((c as BigUint64Array)[i] = v as bigint), take: (c, i) => (c as BigUint64Array)[i] },
  ],
  [
    BigInt64Array,
    { put: (c, i, v) => void ((c as BigInt64Array)[i] = v as bigint), take: (c, i) => (c as BigInt64Array)[i] },
  ],
]);

/** The accessors of a scalar codec's cells (see cellsOf), or undefined. */
export function cellAccess(codec: Codec<unknown>): CellAccess | undefined {
  return codec.typedArray !== undefined ? ACCESS.get(codec.typedArray) : undefined;
}

/**
 * Entries read by `map.lookupBatchInto(entries)` (or lookupAndDeleteBatchInto), held in memory
 * this object owns: they stay valid until the next read into it. Entry i's key is `key(i)` and its
 * value `value(i)`, decoded when called (scalars are one typed-array load; a u64 value still
 * becomes a bigint there, and a struct an object). `keyView`/`valueView` expose the raw bytes
 * (entry i at i × keySize and i × valueSize), for loops that read fields without decoding.
 *
 * Make one per map and reuse it: its buffers grow to the largest read and are kept, so later
 * reads allocate nothing per entry.
 *
 * ```ts fragment
 * const entries = new BatchEntries(flows);
 * flows.lookupBatchInto(entries);
 * for (let i = 0; i < entries.length; i++) total += entries.value(i);
 * ```
 */
export class BatchEntries<K, V> {
  /** Entries held (those of the last read). */
  length = 0;
  /** Bytes of one key and of one value (those of the map it was made for). */
  readonly keySize: number;
  readonly valueSize: number;
  readonly #key: Codec<K>;
  readonly #value: Codec<V>;
  readonly #keySize: number;
  readonly #valueSize: number;
  #capacity = 0;
  #keyBytes = new Uint8Array(0);
  #valueBytes = new Uint8Array(0);
  #keyView = new DataView(this.#keyBytes.buffer);
  #valueView = new DataView(this.#valueBytes.buffer);
  #keyCells: Cells | undefined;
  #valueCells: Cells | undefined;
  readonly #keyAccess: CellAccess | undefined;
  readonly #valueAccess: CellAccess | undefined;

  /** For the entries of `map` (anything with key and value codecs: every KeyValueMap). */
  constructor(map: { readonly key: Codec<K>; readonly value: Codec<V> }, capacity = 0) {
    this.#key = map.key;
    this.#value = map.value;
    this.#keySize = this.keySize = map.key.size;
    this.#valueSize = this.valueSize = map.value.size;
    this.#keyAccess = cellAccess(map.key);
    this.#valueAccess = cellAccess(map.value);
    if (capacity > 0) this.#grow(capacity);
  }

  /** Entry i's key (0 ≤ i < length; not checked). */
  key(i: number): K {
    const cells = this.#keyCells;
    return cells !== undefined
      ? (this.#keyAccess!.take(cells, i) as K)
      : this.#key.decode(this.#keyView, i * this.#keySize);
  }

  /** Entry i's value (0 ≤ i < length; not checked). For per-CPU maps, the array of every CPU's value. */
  value(i: number): V {
    const cells = this.#valueCells;
    return cells !== undefined
      ? (this.#valueAccess!.take(cells, i) as V)
      : this.#value.decode(this.#valueView, i * this.#valueSize);
  }

  /** The keys' raw bytes: entry i's key at byte i × keySize. Replaced when the buffers grow. */
  get keyView(): DataView {
    return this.#keyView;
  }

  /** The values' raw bytes: entry i's value at byte i × valueSize. Replaced when the buffers grow. */
  get valueView(): DataView {
    return this.#valueView;
  }

  /** [key, value] pairs of every entry (allocates them: for convenience, not for hot loops). */
  toArray(): [K, V][] {
    const out: [K, V][] = new Array(this.length);
    for (let i = 0; i < this.length; i++) out[i] = [this.key(i), this.value(i)];
    return out;
  }

  /** @internal Empties it before a read. */
  clear(): void {
    this.length = 0;
  }

  /**
   * @internal Appends `count` entries copied from the starts of `keys` and `values` (a kernel
   * batch in the map's native buffers).
   */
  append(keys: Buffer, values: Buffer, count: number): void {
    const n = this.length;
    if (n + count > this.#capacity) this.#grow(n + count);
    keys.copy(this.#keyBytes, n * this.#keySize, 0, count * this.#keySize);
    values.copy(this.#valueBytes, n * this.#valueSize, 0, count * this.#valueSize);
    this.length = n + count;
  }

  #grow(minimum: number): void {
    const capacity = Math.max(minimum, this.#capacity * 2, 64);
    const keyBytes = new Uint8Array(capacity * this.#keySize);
    const valueBytes = new Uint8Array(capacity * this.#valueSize);
    keyBytes.set(this.#keyBytes.subarray(0, this.length * this.#keySize));
    valueBytes.set(this.#valueBytes.subarray(0, this.length * this.#valueSize));
    this.#capacity = capacity;
    this.#keyBytes = keyBytes;
    this.#valueBytes = valueBytes;
    this.#keyView = new DataView(keyBytes.buffer);
    this.#valueView = new DataView(valueBytes.buffer);
    this.#keyCells = cellsOf(this.#key, keyBytes.buffer, 0, capacity);
    this.#valueCells = cellsOf(this.#value, valueBytes.buffer, 0, capacity);
  }
}
