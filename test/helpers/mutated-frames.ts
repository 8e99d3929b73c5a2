// Hostile variants of a frame for the printers' tests: copies with one to three bytes of the
// payload replaced (by 0, 0xff, a flipped bit or a random value), from a fixed seed, so every run
// builds the same capture and tcpdump's cached output stays valid.

/** A small deterministic generator (a linear congruential one): the same seed, the same numbers. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** `count` copies of `frame` with bytes changed at or after `start`. */
export function mutatedCopies(frame: Uint8Array, start: number, count: number, random: () => number): Uint8Array[] {
  const copies: Uint8Array[] = [];
  if (frame.length <= start) return copies;
  for (let k = 0; k < count; k++) {
    const copy = Uint8Array.from(frame);
    const changes = 1 + Math.floor(random() * 3);
    for (let j = 0; j < changes; j++) {
      const at = start + Math.floor(random() * (copy.length - start));
      const r = random();
      copy[at] =
        r < 0.3
          ? 0
          : r < 0.5
            ? 0xff
            : r < 0.7
              ? copy[at]! ^ (1 << Math.floor(random() * 8))
              : Math.floor(random() * 256);
    }
    copies.push(copy);
  }
  return copies;
}
