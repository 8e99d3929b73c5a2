// `tsbpf init DIR [--template NAME] [--tsbpf SPEC]`: a new eBPF project from a template
// (argument parsing only; the generator and the templates are in src/init and templates/).
import { parseCommandArgs, UsageError } from "../../cmdline/args.js";
import { type CommandIo } from "../../cmdline/io.js";
import { initProject, TEMPLATES, TEMPLATE_NAMES } from "../../init/generate.js";

export const name = "init";
export const summary = "create a new eBPF project (kernel TypeScript, user side, VM and kernel tests) from a template";
export const usage = `usage: tsbpf init DIR [--template ${TEMPLATE_NAMES.join("|")}] [--tsbpf SPEC]

  Writes a ready project into DIR (which must be new or empty): the kernel side
  src/kernel.bpf.ts, the user side src/main.ts, a unit test in tsbpf's VM (no root needed), a
  test against the kernel, package.json (scripts build, test, start), tsconfig.json, README.md.
  Then: cd DIR && npm install && npm test
Templates:
${TEMPLATE_NAMES.map((t) => `  ${t.padEnd(14)} ${TEMPLATES[t].summary}`).join("\n")}
Options:
  --template NAME  the program to start from (default xdp)
  --tsbpf SPEC     the tsbpf dependency: a version range (default ^ this version), or a path to a
                   tarball or checkout (written as file:ABSOLUTE-PATH)
  --json           print the result as one JSON object`;

export function run(argv: readonly string[], io: CommandIo): number {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      template: { type: "string", short: "t" },
      tsbpf: { type: "string" },
    },
    usage,
  );
  if (values.help) {
    io.stdout(`${usage}\n`);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError("give the directory of the new project", usage);
  const result = initProject(positionals[0]!, { template: values.template, tsbpf: values.tsbpf });
  if (values.json) {
    io.stdout(
      `${JSON.stringify({ directory: result.directory, name: result.name, template: result.template, files: result.files })}\n`,
    );
  } else {
    io.stdout(`created ${result.name} (${result.template}) in ${result.directory}: ${result.files.length} files\n`);
    io.stdout(`next: cd ${positionals[0]} && npm install && npm test\n`);
  }
  return 0;
}
