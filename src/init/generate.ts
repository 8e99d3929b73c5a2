// `tsbpf init`: writes a new project from one of the templates in the package's templates/
// folder. The templates are real TypeScript files (kernel side, user side, VM and kernel tests)
// copied as they are: they are readable, editors check them (templates/tsconfig.json maps `tsbpf`
// to this package's sources), and every generated project type-checks them again when it builds.
// Only package.json, tsconfig.json and README.md are written from code, because they carry the
// project's name and the tsbpf version.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, isAbsolute, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { TsbpfError } from "../errors.js";
import { packagePath } from "../package-root.js";

export interface Template {
  /** One line for `tsbpf init --help` and the README. */
  summary: string;
  /** The `npm start` command line, as the README shows it. */
  start: string;
  /** What `npm start` needs besides root. */
  privileges: string;
}

export const TEMPLATES = {
  xdp: {
    summary: "XDP: counts the packets and bytes an interface receives per IP protocol",
    start: "sudo npm start -- eth0",
    privileges: "CAP_BPF + CAP_NET_ADMIN",
  },
  tc: {
    summary: "TC: drops TCP/UDP packets to one port on egress or ingress and counts passed and dropped",
    start: "sudo npm start -- 8080 eth0 egress",
    privileges: "CAP_BPF + CAP_NET_ADMIN",
  },
  tracepoint: {
    summary: "tracepoint: counts the system calls of each process (raw_syscalls:sys_enter)",
    start: "sudo npm start",
    privileges: "CAP_BPF + CAP_PERFMON",
  },
  "socket-filter": {
    summary: "socket filter: drops datagrams starting with a marker byte on a socket pair and counts them",
    start: "sudo npm start -- hello '#comment' world",
    privileges: "CAP_BPF",
  },
} as const satisfies Record<string, Template>;

export type TemplateName = keyof typeof TEMPLATES;
export const TEMPLATE_NAMES = Object.keys(TEMPLATES) as TemplateName[];

export const TEMPLATES_DIR = packagePath("templates");

export class InitError extends TsbpfError {
  override name = "InitError";
}

export interface InitOptions {
  template?: string;
  /**
   * The tsbpf dependency: an npm version range (default `^` this version) or a path to a
   * tarball or a directory (written as `file:` with an absolute path).
   */
  tsbpf?: string;
}

export interface InitResult {
  directory: string;
  name: string;
  template: TemplateName;
  /** Files written, relative to the directory, sorted. */
  files: string[];
}

interface OwnPackage {
  version: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

function ownPackage(): OwnPackage {
  return JSON.parse(readFileSync(packagePath("package.json"), "utf8")) as OwnPackage;
}

export function isTemplateName(name: string): name is TemplateName {
  return Object.hasOwn(TEMPLATES, name);
}

/** An npm package name from a directory name: lower case, other characters as "-". */
export function packageName(directory: string): string {
  const name = basename(resolve(directory))
    .toLowerCase()
    .replace(/[^a-z0-9._~-]+/g, "-")
    .replace(/^[._-]+/, "")
    .slice(0, 214);
  return name || "tsbpf-project";
}

/** The dependency spec for tsbpf: a range stays as it is, a path becomes `file:` + absolute path. */
export function tsbpfSpec(spec: string | undefined, cwd = process.cwd()): string {
  if (spec === undefined) return `^${ownPackage().version}`;
  if (spec.startsWith("file:")) {
    const path = spec.slice("file:".length);
    return isAbsolute(path) ? spec : `file:${resolve(cwd, path)}`;
  }
  const looksLikePath = spec.startsWith(".") || spec.startsWith("/") || /\.(tgz|tar\.gz)$/.test(spec);
  if (looksLikePath) {
    const path = resolve(cwd, spec);
    if (!existsSync(path)) throw new InitError(`--tsbpf ${spec}: no such file or directory`);
    return `file:${path}`;
  }
  return spec;
}

/** Every file of a template, relative to its folder. */
function templateFiles(dir: string, under = ""): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(dir, under), { withFileTypes: true })) {
    const path = join(under, entry.name);
    if (entry.isDirectory()) out.push(...templateFiles(dir, path));
    else out.push(path);
  }
  return out;
}

function packageJson(name: string, template: TemplateName, tsbpf: string): string {
  const own = ownPackage();
  const pkg = {
    name,
    version: "0.1.0",
    private: true,
    description: TEMPLATES[template].summary,
    type: "module",
    engines: { node: ">=20" },
    scripts: {
      build: "tsc -p . && tsbpf compile src/kernel.bpf.ts -o dist/src/kernel.bpf.json",
      test: "npm run build && node --test dist/test/*.test.js",
      start: "node dist/src/main.js",
    },
    dependencies: { tsbpf },
    devDependencies: {
      "@types/node": own.devDependencies?.["@types/node"] ?? "^20.0.0",
      typescript: own.dependencies?.typescript ?? "^5.0.0",
    },
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

const TSCONFIG = `${JSON.stringify(
  {
    compilerOptions: {
      target: "ES2022",
      lib: ["ES2022", "ESNext.Disposable"],
      module: "NodeNext",
      moduleResolution: "NodeNext",
      outDir: "dist",
      rootDir: ".",
      strict: true,
      skipLibCheck: true,
      sourceMap: true,
      types: ["node"],
    },
    include: ["src/**/*.ts", "test/**/*.ts"],
  },
  null,
  2,
)}\n`;

function readme(name: string, template: TemplateName): string {
  const t = TEMPLATES[template];
  return `# ${name}

${t.summary[0]!.toUpperCase()}${t.summary.slice(1)}.

Made with [tsbpf](https://www.npmjs.com/package/tsbpf): the kernel side is \`src/kernel.bpf.ts\` (kernel
TypeScript, compiled to eBPF by \`tsbpf compile\`), the user side \`src/main.ts\`.

- \`npm run build\` — type-checks, compiles the user side to \`dist/\` and the kernel side to \`dist/src/kernel.bpf.json\`
- \`npm test\` — the program in tsbpf's eBPF VM (no root needed) and in the kernel (skipped without root)
- \`${t.start}\` — runs it (needs root, or ${t.privileges})
`;
}

const GITIGNORE = "node_modules/\ndist/\n";

/** Writes a new project into `directory` (missing or empty). */
export function initProject(directory: string, options: InitOptions = {}): InitResult {
  const template = options.template ?? "xdp";
  if (!isTemplateName(template)) {
    throw new InitError(`unknown template "${template}" (templates: ${TEMPLATE_NAMES.join(", ")})`);
  }
  const target = resolve(directory);
  if (existsSync(target)) {
    if (!statSync(target).isDirectory()) throw new InitError(`${directory} exists and is not a directory`);
    if (readdirSync(target).length > 0)
      throw new InitError(`${directory} is not empty: tsbpf init writes a new project into an empty or new directory`);
  }
  const source = join(TEMPLATES_DIR, template);
  if (!existsSync(source))
    throw new InitError(
      `the ${template} template is missing from this tsbpf installation (${relative(process.cwd(), source)})`,
    );
  const dependency = tsbpfSpec(options.tsbpf);
  const name = packageName(target);

  const files = new Map<string, string | Buffer>();
  for (const file of templateFiles(source)) files.set(file, readFileSync(join(source, file)));
  files.set("package.json", packageJson(name, template, dependency));
  files.set("tsconfig.json", TSCONFIG);
  files.set("README.md", readme(name, template));
  files.set(".gitignore", GITIGNORE);

  for (const [file, content] of files) {
    const path = join(target, file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content, { flag: "wx" });
  }
  return { directory: target, name, template, files: [...files.keys()].sort() };
}
