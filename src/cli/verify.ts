// --verifier-log of `compile`, `run` and `load`: the verifier's whole log on stderr, for the
// programs it accepted and for the one it rejected (main then prints the one-line verdict).
import type { Artifact } from "../compiler/artifact.js";
import { KernelObject } from "../loader/kernel-object.js";
import { VerifierError, type Program } from "../programs/program.js";
import type { CommandIo } from "../cmdline/io.js";

/** Prints each program's verifier log (kept with LoadOptions.keepLog) under a header line. */
export function printVerifierLogs(programs: Record<string, Program | undefined>, io: CommandIo): void {
  for (const [name, program] of Object.entries(programs)) {
    if (!program) continue;
    io.stderr(`verifier log of program "${name}":\n${(program.verifierLog ?? "").trimEnd()}\n`);
  }
}

/** Runs `load`; when the verifier rejects a program, prints its whole log before passing the error on. */
export function withVerifierLog<T>(io: CommandIo, load: () => T): T {
  try {
    return load();
  } catch (err) {
    const rejection =
      err instanceof VerifierError
        ? err
        : err instanceof Error && err.cause instanceof VerifierError
          ? err.cause
          : undefined;
    if (rejection) io.stderr(`verifier log of program "${rejection.programName}":\n${rejection.log.trimEnd()}\n`);
    throw err;
  }
}

/**
 * `compile --verifier-log`: loads every program of the artifact into the running kernel with its
 * maps (nothing is attached), prints the logs and unloads it all.
 */
export function verifyArtifact(artifact: Artifact, io: CommandIo): void {
  using obj = withVerifierLog(io, () => KernelObject.load(artifact, { keepLog: true, logLevel: 2 }));
  printVerifierLogs(obj.programs as Record<string, Program>, io);
}
