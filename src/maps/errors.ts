// Errors of map operations. Each names the map, so a failure in a program with many maps says
// which one; the specific classes cover the outcomes callers commonly handle.
import { Errno, TsbpfError } from "../errors.js";
import { NotSupportedError, SyscallError } from "../sys/errors.js";

/** A map operation failed. `mapName` is the name the map was created or opened with. */
export class MapError extends SyscallError {
  override name = "MapError";
  constructor(
    operation: string,
    errno: number,
    readonly mapName: string,
    message?: string,
  ) {
    super(operation, errno, `map "${mapName}"`);
    if (message !== undefined) this.message = `${operation} on map "${mapName}": ${message} (${this.code})`;
  }
}

/** An update found no free slot (E2BIG): the map holds max_entries elements. */
export class MapFullError extends MapError {
  override name = "MapFullError";
  constructor(operation: string, mapName: string, maxEntries: number) {
    super(operation, Errno.E2BIG, mapName, `the map is full (max_entries ${maxEntries})`);
  }
}

/** An update with NOEXIST found the key already present (EEXIST). */
export class KeyExistsError extends MapError {
  override name = "KeyExistsError";
  constructor(operation: string, mapName: string) {
    super(operation, Errno.EEXIST, mapName, "the key already exists (update flag NOEXIST)");
  }
}

/** An update with EXIST did not find the key (ENOENT). */
export class KeyNotFoundError extends MapError {
  override name = "KeyNotFoundError";
  constructor(operation: string, mapName: string) {
    super(operation, Errno.ENOENT, mapName, "no such key (update flag EXIST)");
  }
}

/** A write to a map that is frozen or opened read-only (EPERM). */
export class MapReadOnlyError extends MapError {
  override name = "MapReadOnlyError";
  constructor(operation: string, mapName: string) {
    super(operation, Errno.EPERM, mapName, "the map is frozen or was opened read-only; user space cannot write to it");
  }
}

/** An existing map (pinned or by id) does not match what the caller expects. */
export class MapMismatchError extends TsbpfError {
  override name = "MapMismatchError";
  constructor(
    readonly mapName: string,
    readonly problems: readonly string[],
  ) {
    super(`map "${mapName}" does not match the codecs given: ${problems.join("; ")}`);
  }
}

/** The map was used after close(). */
export class MapClosedError extends TsbpfError {
  override name = "MapClosedError";
  constructor(readonly mapName: string) {
    super(`map "${mapName}" is closed`);
  }
}

/** The running kernel lacks an operation for this map type (e.g. batch lookup-and-delete on arrays). */
export function unsupportedMapOperation(operation: string, mapKind: string, errno: number): NotSupportedError {
  return new NotSupportedError(
    `${operation} on ${mapKind} maps`,
    `the kernel answered ${errno === Errno.ENOTSUPP ? "ENOTSUPP" : "EOPNOTSUPP"}`,
    errno,
  );
}

/** A map cannot be created as specified (checked before asking the kernel). */
export class MapSpecError extends TsbpfError {
  override name = "MapSpecError";
  constructor(
    readonly mapName: string,
    readonly problem: string,
  ) {
    super(`map "${mapName}": ${problem}`);
  }
}
