// Tearing down what a probe attached and loaded. Every step runs — one failure must not strand
// the rest attached — and the first failure is thrown once all have run.

/** Runs every step in order; throws the first error, after the last step. */
export function releaseAll(steps: readonly (() => void)[]): void {
  let failure: { error: unknown } | undefined;
  for (const step of steps) {
    try {
      step();
    } catch (error) {
      failure ??= { error };
    }
  }
  if (failure) throw failure.error;
}

/** Steps detaching `links`, the newest first. */
export function detachSteps(links: readonly { detach(): void }[]): (() => void)[] {
  return [...links].reverse().map((link) => () => link.detach());
}

/** For a failed open: releases what was made, keeping the error that made it fail the one reported. */
export function releaseAfterFailure(steps: readonly (() => void)[]): void {
  try {
    releaseAll(steps);
  } catch {
    /* the open's own error is the one to report */
  }
}
