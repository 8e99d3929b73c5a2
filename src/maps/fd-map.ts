// Maps whose values are kernel objects given by file descriptor (programs, maps). User space
// writes an fd; reading gives back the object's id, which stays valid as long as the object lives.
import { UpdateFlags } from "../uapi.js";
import { KeyValueMap } from "./map.js";

/** A program, map or anything else with an fd; a plain number is taken as the fd itself. */
export type FdSource = { readonly fd: number } | number;

/**
 * Batch operations are inherited as they are: updateBatch() takes raw fds as values, and
 * lookupBatch() returns ids.
 */
export class FdMap<K> extends KeyValueMap<K, number> {
  /**
   * Stores the object `target` refers to. The map keeps its own reference, so the object stays
   * alive after the caller closes its fd.
   */
  override set(key: K, target: FdSource, flags: number = UpdateFlags.ANY): this {
    return super.set(key, typeof target === "number" ? target : target.fd, flags);
  }

  /** The id of the stored object (not an fd), or undefined when the slot is empty. */
  override get(key: K, flags = 0): number | undefined {
    return super.get(key, flags);
  }
}
