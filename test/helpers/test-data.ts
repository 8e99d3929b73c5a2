// Where the test corpora live: tcpdump's captures (`pcaps/`) and the bpf_conformance suite
// (`bpf_conformance/`). They are not part of the package; a checkout finds them in
// `$TSBPF_TEST_DATA`, or else in `shared/data` beside the checkout (the layout CI uses).
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The checkout's root (dist/test/helpers → ../../..). */
const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** The data directory, or undefined when neither place has it. */
export function findTestData(environment: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = [environment.TSBPF_TEST_DATA, resolve(ROOT, "..", "shared", "data")];
  return candidates.find((dir): dir is string => dir !== undefined && dir !== "" && existsSync(join(dir, "pcaps")));
}

/** A path inside the data directory; throws one line saying where it was looked for. */
export function testData(...parts: string[]): string {
  const dir = findTestData();
  if (!dir)
    throw new Error("the test corpora were not found: set TSBPF_TEST_DATA, or put shared/data beside the checkout");
  return join(dir, ...parts);
}
