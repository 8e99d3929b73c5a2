// The content-dropping socket filter in kernel TypeScript: packets whose first 64 bytes contain
// the needle are dropped. The needle is a module constant in .rodata that user space sets before
// loading (the verifier then knows its value); the search is a subprogram with its own BTF.
import { socketFilter, struct, bytes, zeroed, u32, bool, type SocketFilterContext } from "tsbpf/kernel";

export const MAX_NEEDLE = 16;
/** Bytes of each packet searched. */
export const WINDOW = 64;

export class Needle extends struct({ length: u32, data: bytes(MAX_NEEDLE) }) {}
export class Window extends struct({ data: bytes(WINDOW) }) {}

/** What to look for; set it with `constants: { needle: { length, data } }` when loading. */
export const needle: Needle = zeroed(Needle);

export const dropByContent = socketFilter((ctx) => {
  return contains(ctx) ? 0 : ctx.len;
});

/** Whether the needle occurs in the first WINDOW bytes of the packet. */
function contains(ctx: SocketFilterContext): bool {
  const n = needle.length;
  if (n === 0 || n > MAX_NEEDLE) return false;
  let len = ctx.len;
  if (len > WINDOW) len = WINDOW;
  if (len < n) return false;
  const window = zeroed(Window);
  if (ctx.loadBytes(0, window.data, len) < 0) return false;
  for (let i: u32 = 0; i + n <= len; i++) {
    let j: u32 = 0;
    while (j < n && window.data[i + j] === needle.data[j]) j++;
    if (j === n) return true;
  }
  return false;
}
