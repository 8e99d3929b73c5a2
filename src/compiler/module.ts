// The module level of kernel TypeScript: finds the programs (marker calls), and resolves every
// name a function uses to what it is — a local, a map declaration, a struct type, a constant, a
// global variable in .rodata/.data/.bss, a module-level function, or a tsbpf/kernel declaration.
import type * as TS from "typescript";
import { kernelBtf } from "../btf/vmlinux.js";
import type { Btf } from "../btf/decoder.js";
import { tracepointFormat, type TracepointFormat } from "../programs/tracepoint-format.js";
import { Bail, type Diagnostic } from "./diagnostics.js";
import { numericValue } from "./fold.js";
import { INTS, arrayOf, structOf, typeName, type DataT, type IntT, type StructT } from "./ktypes.js";
import { CGROUP_HOOKS, MAP_CLASSES, MAP_TYPES, MARKERS, type ProgramKind } from "./contexts.js";
import {
  FnLower,
  type GlobalVar,
  type LogSite,
  type ModuleApi,
  type ParamType,
  type Resolved,
  type RetType,
  type SubFnInfo,
} from "./lower.js";
import type { IrFunction, SrcLoc } from "./ir.js";
import { programArguments } from "./intrinsics/context.js";
import type { CtxInfo, MapInfo } from "./values.js";
import type { TypeScript } from "./host.js";
import { MapFlags } from "../uapi.js";
import type { StructOpsMember } from "../object/struct-ops.js";
import { structOpsMembers } from "./struct-ops.js";

/** A program found in the module: `export const NAME = marker(..., (ctx) => ...)`. */
export interface ProgramDecl {
  name: string;
  kind: ProgramKind;
  target: Record<string, unknown>;
  fn: TS.ArrowFunction | TS.FunctionExpression | TS.MethodDeclaration;
  node: TS.Node;
}

/** A struct_ops variable (structOps): the kernel struct's bytes as compiled, and its members. */
export interface StructOpsVariable {
  name: string;
  /** The kernel struct ("tcp_congestion_ops"). */
  struct: string;
  link: boolean;
  /** The struct laid out as the compile-time BTF says, data members filled in. */
  data: Uint8Array;
  members: StructOpsMember[];
}

export interface GlobalSection {
  name: ".rodata" | ".data" | ".bss";
  size: number;
  init: Uint8Array;
  vars: GlobalVar[];
}

const CTX_TYPES: Record<string, ProgramKind> = {
  XdpContext: "xdp",
  TcContext: "tc",
  SocketFilterContext: "socket_filter",
  SkSkbContext: "sk_skb",
  SkMsgContext: "sk_msg",
  SkLookupContext: "sk_lookup",
  SkReuseportContext: "sk_reuseport",
  FlowDissectorContext: "flow_dissector",
  RawTracepointContext: "raw_tracepoint",
  TpBtfContext: "tp_btf",
  TracingContext: "fentry",
  PtRegsContext: "uprobe",
  PerfEventContext: "perf_event",
  // cgroup and socket hooks
  CgroupSkbContext: "cgroup_skb",
  CgroupSockContext: "cgroup_sock",
  CgroupSockAddrContext: "cgroup_sock_addr",
  SockOpsContext: "sock_ops",
  CgroupSysctlContext: "cgroup_sysctl",
  CgroupSockoptContext: "cgroup_sockopt",
  CgroupDeviceContext: "cgroup_device",
};

export class ModuleCompiler implements ModuleApi {
  readonly diagnostics: Diagnostic[] = [];
  readonly programs: ProgramDecl[] = [];
  readonly structOps: StructOpsVariable[] = [];
  readonly maps = new Map<TS.Node, MapInfo>();
  readonly structs = new Map<TS.Node, StructT>();
  readonly functions = new Map<TS.Node, SubFnInfo>();
  /** Subprograms compiled so far (by name), and the ones still to compile. */
  readonly compiled = new Map<string, IrFunction>();
  private readonly pending: SubFnInfo[] = [];
  readonly sections = new Map<string, GlobalSection>();
  private readonly globals = new Map<TS.Node, GlobalVar>();
  readonly logSites: LogSite[] = [];
  private logInfo: MapInfo | undefined;
  private readonly usedNames = new Set<string>();
  private readonly tpFormats = new Map<string, TracepointFormat>();

  constructor(
    readonly ts: TypeScript,
    readonly program: TS.Program,
    readonly checker: TS.TypeChecker,
    readonly entry: TS.SourceFile,
    private readonly targetBtf?: Btf,
  ) {}

  // ---- diagnostics ----------------------------------------------------------------------------------

  fail(node: TS.Node, message: string): never {
    const sf = node.getSourceFile();
    const { line, character } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
    throw new Bail({ file: sf.fileName, line: line + 1, column: character + 1, message });
  }

  /** Runs `f`, recording its first error instead of throwing. */
  guard<T>(f: () => T): T | undefined {
    try {
      return f();
    } catch (err) {
      if (err instanceof Bail) {
        this.diagnostics.push(err.diagnostic);
        return undefined;
      }
      throw err;
    }
  }

  loc(node: TS.Node): SrcLoc {
    const sf = node.getSourceFile();
    const start = node.getStart(sf);
    const { line, character } = sf.getLineAndCharacterOfPosition(start);
    const lineStarts = sf.getLineStarts();
    const from = lineStarts[line]!;
    const to = line + 1 < lineStarts.length ? lineStarts[line + 1]! : sf.text.length;
    return {
      file: sf.fileName,
      line: line + 1,
      column: character + 1,
      text: sf.text
        .slice(from, to)
        .replace(/\r?\n$/, "")
        .trim(),
    };
  }

  // ---- module scan ---------------------------------------------------------------------------------

  /** Finds programs and global variables in the entry file; everything else is resolved on use. */
  scan(): void {
    const ts = this.ts;
    for (const s of this.entry.statements) {
      this.guard(() => {
        if (
          ts.isImportDeclaration(s) ||
          ts.isInterfaceDeclaration(s) ||
          ts.isTypeAliasDeclaration(s) ||
          ts.isFunctionDeclaration(s) ||
          ts.isEmptyStatement(s)
        )
          return;
        if (ts.isExportDeclaration(s)) return;
        if (ts.isClassDeclaration(s)) {
          this.structOfClass(s);
          return;
        }
        if (ts.isVariableStatement(s)) {
          for (const d of s.declarationList.declarations) {
            const init = d.initializer;
            if (init && ts.isCallExpression(init) && ts.isIdentifier(init.expression)) {
              const r = this.kernelNameOf(init.expression);
              if (r && MARKERS[r] === "struct_ops") {
                this.structOpsDecl(d, init);
                continue;
              }
              if (r && MARKERS[r]) {
                this.programDecl(d, MARKERS[r], init);
                continue;
              }
            }
            this.resolveDeclaration(d, d.name);
          }
          return;
        }
        if (ts.isEnumDeclaration(s)) {
          this.checkEnum(s);
          return;
        }
        if (ts.isModuleDeclaration(s)) return;
        this.fail(s, `${ts.SyntaxKind[s.kind]} at module level is not in the subset`);
      });
    }
  }

  private programDecl(d: TS.VariableDeclaration, kind: ProgramKind, call: TS.CallExpression): void {
    const ts = this.ts;
    if (!ts.isIdentifier(d.name)) this.fail(d, "name the program with a plain identifier");
    const args = call.arguments;
    const fnIndex = args.findIndex((a) => ts.isArrowFunction(a) || ts.isFunctionExpression(a));
    if (fnIndex < 0) this.fail(call, "a program marker takes the program as an arrow function");
    const fn = args[fnIndex] as TS.ArrowFunction | TS.FunctionExpression;
    const str = (i: number): string => {
      const a = args[i];
      if (!a || !(ts.isStringLiteral(a) || ts.isNoSubstitutionTemplateLiteral(a)))
        this.fail(a ?? call, "expected a string literal");
      return a.text;
    };
    const target: Record<string, unknown> = {};
    switch (kind) {
      case "tracepoint": {
        const event = str(0);
        const m = /^([A-Za-z0-9_]+)\/([A-Za-z0-9_]+)$/.exec(event);
        if (!m)
          this.fail(
            args[0]!,
            `a tracepoint is named "category/name" (e.g. "sched/sched_process_exec"), not ${JSON.stringify(event)}`,
          );
        target.category = m[1];
        target.name = m[2];
        break;
      }
      case "raw_tracepoint":
        target.name = str(0);
        break;
      case "tp_btf":
        target.event = str(0);
        break;
      case "uprobe":
      case "uretprobe":
      case "uprobe_multi":
      case "uretprobe_multi":
        Object.assign(target, this.objectLiteralConsts(args[0]!));
        if ((kind === "uprobe_multi" || kind === "uretprobe_multi") && !(target.binary && target.pattern))
          this.fail(args[0]!, "a multi-uprobe names { binary, pattern } (pattern: symbols with * and ? wildcards)");
        break;
      case "kprobe":
      case "kretprobe":
      case "fentry":
      case "fexit":
      case "fmod_ret":
        target.function = this.kernelSymbolArg(str(0), args[0]!);
        if (kind === "kprobe" && args[fnIndex + 1]) Object.assign(target, this.objectLiteralConsts(args[fnIndex + 1]!));
        break;
      case "kprobe_multi":
      case "kretprobe_multi":
        target.pattern = str(0);
        if (!/^[A-Za-z0-9_.*?]+$/.test(String(target.pattern)))
          this.fail(args[0]!, "a multi-kprobe pattern is a function name with * and ? wildcards");
        break;
      case "lsm":
        target.hook = this.kernelSymbolArg(str(0), args[0]!);
        break;
      case "iter":
        target.target = this.kernelSymbolArg(str(0), args[0]!);
        break;
      case "cgroup_skb":
      case "cgroup_sock":
      case "cgroup_sock_addr":
      case "cgroup_sockopt": {
        const hook = str(0);
        const hooks = Object.keys(CGROUP_HOOKS[kind]!);
        if (!hooks.includes(hook))
          this.fail(args[0]!, `${JSON.stringify(hook)} is not a ${kind} hook (one of ${hooks.join(", ")})`);
        target.hook = hook;
        break;
      }
      case "xdp":
      case "tc":
      case "perf_event":
      case "sk_reuseport":
        if (args[fnIndex + 1]) Object.assign(target, this.objectLiteralConsts(args[fnIndex + 1]!));
        break;
      default:
        break;
    }
    this.claimName(d.name.text, d);
    this.programs.push({ name: d.name.text, kind, target, fn, node: d });
  }

  /**
   * `structOps("tcp_congestion_ops", { name: "x", init(sk) {…}, … }, { link })`: a program per
   * method (VARIABLE_METHOD, typed from the member's function pointer) and the struct's data.
   */
  private structOpsDecl(d: TS.VariableDeclaration, call: TS.CallExpression): void {
    const ts = this.ts;
    if (!ts.isIdentifier(d.name)) this.fail(d, "name the struct_ops with a plain identifier");
    const variable = d.name.text;
    const [structArg, membersArg, optionsArg] = call.arguments;
    if (!structArg || !(ts.isStringLiteral(structArg) || ts.isNoSubstitutionTemplateLiteral(structArg)))
      this.fail(structArg ?? call, 'structOps names its kernel struct with a string literal ("tcp_congestion_ops")');
    const struct = structArg.text;
    const btf = this.btf();
    const structId = btf.findByName(struct, "struct")[0];
    if (structId === undefined) this.fail(structArg, `the kernel's BTF has no struct ${struct}`);
    if (btf.findByName(`bpf_struct_ops_${struct}`, "struct").length === 0)
      this.fail(
        structArg,
        `the kernel cannot take a ${struct} from BPF (its BTF has no struct bpf_struct_ops_${struct})`,
      );
    if (!membersArg || !ts.isObjectLiteralExpression(membersArg))
      this.fail(membersArg ?? call, "structOps takes its members as an object literal");
    const link = optionsArg ? this.objectLiteralConsts(optionsArg).link === true : false;
    const known = structOpsMembers(btf, structId);
    const data = new Uint8Array(btf.sizeOf(structId));
    const members: StructOpsMember[] = [];
    const set = new Set<string>();
    this.claimName(variable, d);
    for (const p of membersArg.properties) {
      const key = p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? p.name.text : undefined;
      if (key === undefined) this.fail(p, 'name each member plainly (`init(sk) { … }` or `name: "…"`)');
      const m = known.find((x) => x.name === key);
      if (!m)
        this.fail(
          p,
          `struct ${struct} has no member ${key} that BPF can set (members: ${known.map((x) => x.name).join(", ")})`,
        );
      if (set.has(key)) this.fail(p, `${key} is set twice`);
      set.add(key);
      let fn: TS.ArrowFunction | TS.FunctionExpression | TS.MethodDeclaration | undefined;
      if (ts.isMethodDeclaration(p)) fn = p;
      else if (
        ts.isPropertyAssignment(p) &&
        (ts.isArrowFunction(p.initializer) || ts.isFunctionExpression(p.initializer))
      )
        fn = p.initializer;
      if (m.kind === "function") {
        if (!fn) this.fail(p, `${key} is a callback: give it a method (\`${key}(…) { … }\`)`);
        if (!fn.body) this.fail(p, `${key} has no body`);
        const program = `${variable}_${key}`;
        this.claimName(program, p);
        this.programs.push({
          name: program,
          kind: "struct_ops",
          target: { struct, member: key, memberIndex: m.index, structOps: variable, program },
          fn,
          node: p,
        });
        members.push({ name: key, offset: m.offset, size: 8, isFunction: true, program });
        continue;
      }
      if (!ts.isPropertyAssignment(p)) this.fail(p, `${key} is data: give it a value (\`${key}: …\`)`);
      const v = p.initializer;
      if (m.kind === "string") {
        if (!(ts.isStringLiteral(v) || ts.isNoSubstitutionTemplateLiteral(v)))
          this.fail(v, `${key} is a string literal`);
        const bytes = Buffer.from(v.text, "utf8");
        if (bytes.length === 0 || bytes.length >= m.size)
          this.fail(v, `${key} takes 1 to ${m.size - 1} bytes (it is a char[${m.size}] with its NUL)`);
        data.set(bytes, m.offset);
      } else {
        const n = this.constValue(v);
        const bits = BigInt(m.size * 8);
        if (n < 0n || n >= 1n << bits) this.fail(v, `${key} is a ${m.size}-byte unsigned number`);
        for (let i = 0; i < m.size; i++) data[m.offset + i] = Number((n >> BigInt(8 * i)) & 0xffn);
      }
      members.push({ name: key, offset: m.offset, size: m.size, isFunction: false });
    }
    for (const m of known)
      if (m.kind !== "function" && m.required && !set.has(m.name))
        this.fail(membersArg, `struct ${struct} needs its ${m.name}`);
    if (!members.some((m) => m.isFunction)) this.fail(membersArg, `a ${struct} without callbacks does nothing`);
    this.structOps.push({ name: variable, struct, link, data, members });
  }

  /** A kernel function, hook or iterator name: an identifier (it becomes part of the section name). */
  private kernelSymbolArg(name: string, node: TS.Node): string {
    if (!/^[A-Za-z_][A-Za-z0-9_.]*$/.test(name)) this.fail(node, `${JSON.stringify(name)} is not a kernel symbol name`);
    return name;
  }

  private objectLiteralConsts(e: TS.Expression): Record<string, unknown> {
    const ts = this.ts;
    if (!ts.isObjectLiteralExpression(e)) this.fail(e, "expected an object literal of constants");
    const out: Record<string, unknown> = {};
    for (const p of e.properties) {
      if (!ts.isPropertyAssignment(p) || !ts.isIdentifier(p.name)) this.fail(p, "expected `name: value`");
      const v = p.initializer;
      if (ts.isStringLiteral(v) || ts.isNoSubstitutionTemplateLiteral(v)) out[p.name.text] = v.text;
      else if (v.kind === ts.SyntaxKind.TrueKeyword) out[p.name.text] = true;
      else if (v.kind === ts.SyntaxKind.FalseKeyword) out[p.name.text] = false;
      else out[p.name.text] = Number(this.constValue(v));
    }
    return out;
  }

  private claimName(name: string, node: TS.Node): void {
    if (this.usedNames.has(name))
      this.fail(node, `${name} is declared twice (programs, maps and functions share one namespace)`);
    this.usedNames.add(name);
  }

  // ---- resolution ------------------------------------------------------------------------------------

  private isKernelFile(sf: TS.SourceFile): boolean {
    return /(^|\/)(src|dist\/src)\/kernel\/[^/]+\.(d\.)?ts$/.test(sf.fileName);
  }

  /** The tsbpf/kernel name an identifier refers to, or undefined. */
  kernelNameOf(id: TS.Identifier): string | undefined {
    const r = this.resolve(id);
    return r.kind === "kernel" ? r.name : undefined;
  }

  private symbolOf(id: TS.Node): TS.Symbol {
    let symbol = this.checker.getSymbolAtLocation(id);
    if (!symbol) this.fail(id, `cannot resolve ${id.getText()}`);
    if (symbol.flags & this.ts.SymbolFlags.Alias) symbol = this.checker.getAliasedSymbol(symbol);
    return symbol;
  }

  resolve(id: TS.Identifier): Resolved {
    const ts = this.ts;
    const symbol = this.symbolOf(id);
    const decl = symbol.valueDeclaration ?? symbol.declarations?.[0];
    if (!decl) this.fail(id, `${id.text} has no declaration`);
    if (ts.isSourceFile(decl) || ts.isModuleDeclaration(decl) || ts.isNamespaceImport(decl))
      return { kind: "namespace" };
    const sf = decl.getSourceFile();
    if (this.isKernelFile(sf)) {
      const name = symbol.getName();
      // Struct classes shipped with tsbpf (network headers) are ordinary struct types.
      if (
        ts.isClassDeclaration(decl) &&
        decl.heritageClauses?.some((h) =>
          h.types.some(
            (t) => ts.isCallExpression(t.expression) || (sf.isDeclarationFile && /_base$/.test(t.expression.getText())),
          ),
        )
      ) {
        return { kind: "type", t: this.structOfClass(decl) };
      }
      if (ts.isVariableDeclaration(decl) && decl.initializer && name !== "log") {
        const c = this.tryConst(decl.initializer);
        if (c !== undefined) return { kind: "const", value: c };
      }
      return { kind: "kernel", name, node: decl };
    }
    if (ts.isParameter(decl) || ts.isBindingElement(decl)) return { kind: "local", symbol };
    if (ts.isVariableDeclaration(decl) && !this.isModuleLevel(decl)) return { kind: "local", symbol };
    return this.resolveDeclaration(decl, id);
  }

  private isModuleLevel(d: TS.VariableDeclaration): boolean {
    return this.ts.isSourceFile(d.parent.parent.parent);
  }

  private resolveDeclaration(decl: TS.Declaration, at: TS.Node): Resolved {
    const ts = this.ts;
    if (ts.isFunctionDeclaration(decl)) return { kind: "function", fn: this.functionInfo(decl) };
    if (ts.isClassDeclaration(decl)) return { kind: "type", t: this.structOfClass(decl) };
    if (ts.isVariableDeclaration(decl)) {
      const init = decl.initializer;
      const name = ts.isIdentifier(decl.name) ? decl.name.text : "?";
      const isConst = (decl.parent.flags & ts.NodeFlags.Const) !== 0;
      if (init && ts.isNewExpression(init) && ts.isIdentifier(init.expression)) {
        const cls = this.kernelNameOf(init.expression);
        if (cls && MAP_CLASSES[cls]) return { kind: "map", map: this.mapInfo(decl, cls, init) };
      }
      if (init && ts.isCallExpression(init) && ts.isIdentifier(init.expression)) {
        const k = this.kernelNameOf(init.expression);
        if (k === "struct") return { kind: "type", t: this.structOfVar(decl, init) };
        if (k && MARKERS[k]) this.fail(at, `${name} is a program; programs are not values in kernel code`);
        if (k === "bytes" || k === "cstring" || k === "array") return { kind: "type", t: this.dataTypeOfValue(init) };
      }
      const exported = this.isExported(decl);
      if (isConst && !(exported && decl.type)) {
        if (!init) this.fail(decl, `${name} has no value`);
        const c = this.tryConst(init);
        if (c !== undefined) return { kind: "const", value: c };
        if (!decl.type)
          this.fail(
            at,
            `${name} is not a compile-time constant (module-level constants are numbers; annotate and export it to make it a .rodata global)`,
          );
      }
      return { kind: "global", g: this.globalVar(decl) };
    }
    // An enum is a namespace of integer constants: `Action.Drop` resolves to its member.
    if (ts.isEnumDeclaration(decl)) return { kind: "namespace" };
    if (ts.isEnumMember(decl)) return { kind: "const", value: this.enumMemberValue(decl) };
    this.fail(at, `${at.getText()} (${ts.SyntaxKind[decl.kind]}) is not usable in kernel code`);
  }

  /** Enums in the subset have integer members (constants the checker computes). */
  private checkEnum(decl: TS.EnumDeclaration): void {
    for (const m of decl.members) this.enumMemberValue(m);
  }

  /** An enum's integer type, as C compilers pick it: u32 when every member fits, else i32, u64, i64. */
  private enumIntType(decl: TS.EnumDeclaration): IntT {
    const values = decl.members.map((m) => this.enumMemberValue(m));
    const fits = (lo: bigint, hi: bigint): boolean => values.every((v) => v >= lo && v <= hi);
    if (fits(0n, 0xffff_ffffn)) return INTS.u32!;
    if (fits(-0x8000_0000n, 0x7fff_ffffn)) return INTS.i32!;
    if (fits(0n, 0xffff_ffff_ffff_ffffn)) return INTS.u64!;
    return INTS.i64!;
  }

  private enumMemberValue(m: TS.EnumMember): bigint {
    const v = this.checker.getConstantValue(m);
    if (typeof v !== "number" || !Number.isInteger(v))
      this.fail(m, `enum member ${m.name.getText()} is not an integer (enums in kernel code have integer members)`);
    return BigInt(v);
  }

  private isExported(decl: TS.VariableDeclaration): boolean {
    const stmt = decl.parent.parent;
    return (
      this.ts.isVariableStatement(stmt) &&
      (stmt.modifiers?.some((m) => m.kind === this.ts.SyntaxKind.ExportKeyword) ?? false)
    );
  }

  // ---- constants ---------------------------------------------------------------------------------------

  /** The value of a constant expression, or undefined when it is not one. */
  tryConst(e: TS.Expression): bigint | undefined {
    try {
      return this.constValue(e);
    } catch (err) {
      if (err instanceof Bail) return undefined;
      throw err;
    }
  }

  constValue(e: TS.Expression): bigint {
    const ts = this.ts;
    if (ts.isParenthesizedExpression(e)) return this.constValue(e.expression);
    if (ts.isNumericLiteral(e) || ts.isBigIntLiteral(e)) return numericValue(e, (n, m) => this.fail(n, m));
    if (e.kind === ts.SyntaxKind.TrueKeyword) return 1n;
    if (e.kind === ts.SyntaxKind.FalseKeyword) return 0n;
    if (ts.isPrefixUnaryExpression(e)) {
      const v = this.constValue(e.operand);
      if (e.operator === ts.SyntaxKind.MinusToken) return -v;
      if (e.operator === ts.SyntaxKind.PlusToken) return v;
      if (e.operator === ts.SyntaxKind.TildeToken) return ~v;
    }
    if (ts.isBinaryExpression(e)) {
      const a = this.constValue(e.left),
        b = this.constValue(e.right);
      const S = ts.SyntaxKind;
      switch (e.operatorToken.kind) {
        case S.PlusToken:
          return a + b;
        case S.MinusToken:
          return a - b;
        case S.AsteriskToken:
          return a * b;
        case S.SlashToken:
          if (b === 0n) this.fail(e, "division by zero");
          return a / b;
        case S.PercentToken:
          if (b === 0n) this.fail(e, "division by zero");
          return a % b;
        case S.LessThanLessThanToken:
          return a << b;
        case S.GreaterThanGreaterThanToken:
          return a >> b;
        case S.GreaterThanGreaterThanGreaterThanToken:
          return BigInt.asUintN(64, a) >> b;
        case S.AmpersandToken:
          return a & b;
        case S.BarToken:
          return a | b;
        case S.CaretToken:
          return a ^ b;
        default:
          break;
      }
    }
    if (ts.isIdentifier(e)) {
      const r = this.resolve(e);
      if (r.kind === "const") return r.value;
    }
    if (
      ts.isPropertyAccessExpression(e) &&
      ts.isIdentifier(e.expression) &&
      this.resolve(e.expression).kind === "namespace"
    ) {
      const r = this.resolve(e.name as TS.Identifier);
      if (r.kind === "const") return r.value;
    }
    if (
      ts.isCallExpression(e) &&
      ts.isIdentifier(e.expression) &&
      this.kernelNameOf(e.expression) === "sizeOf" &&
      e.arguments.length === 1
    ) {
      return BigInt(this.dataTypeOfValue(e.arguments[0]!).size);
    }
    this.fail(e, "not a constant expression");
  }

  // ---- data types ------------------------------------------------------------------------------------

  dataTypeOfValue(expr: TS.Expression): DataT {
    const ts = this.ts;
    if (ts.isParenthesizedExpression(expr)) return this.dataTypeOfValue(expr.expression);
    if (ts.isIdentifier(expr) || ts.isPropertyAccessExpression(expr)) {
      const id = (ts.isIdentifier(expr) ? expr : expr.name) as TS.Identifier;
      if (
        ts.isPropertyAccessExpression(expr) &&
        !(ts.isIdentifier(expr.expression) && this.resolve(expr.expression).kind === "namespace")
      ) {
        this.fail(expr, "expected a type (u32, a struct class …)");
      }
      const r = this.resolve(id);
      if (r.kind === "kernel") {
        const t = INTS[r.name];
        if (t) return t;
        if (CTX_TYPES[r.name]) this.fail(expr, `${r.name} is a context, not data`);
        this.fail(expr, `${r.name} is not a data type`);
      }
      if (r.kind === "type") return r.t;
      this.fail(
        expr,
        `${expr.getText()} is not a data type (integers: u8 … i64, structs: classes extending struct({...}))`,
      );
    }
    if (ts.isCallExpression(expr) && ts.isIdentifier(expr.expression)) {
      const k = this.kernelNameOf(expr.expression);
      const args = expr.arguments;
      const count = (i: number): number => {
        const v = Number(this.constValue(args[i]!));
        if (!Number.isInteger(v) || v <= 0 || v > 65536) this.fail(args[i]!, "an array length is a positive constant");
        return v;
      };
      if (k === "bytes") return arrayOf(INTS.u8!, count(0), "bytes");
      if (k === "cstring") return arrayOf(INTS.u8!, count(0), "string");
      if (k === "array") return arrayOf(this.dataTypeOfValue(args[0]!), count(1), "array");
      if (k === "struct") return this.structOfLiteral("", expr);
    }
    this.fail(
      expr,
      "expected a data type (u8 … i64, bool, be16, be32, a struct class, bytes(n), cstring(n), array(T, n))",
    );
  }

  private structOfLiteral(name: string, call: TS.CallExpression): StructT {
    const ts = this.ts;
    const obj = call.arguments[0];
    if (!obj || !ts.isObjectLiteralExpression(obj)) this.fail(call, "struct() takes an object literal of field types");
    const fields: { name: string; type: DataT }[] = [];
    for (const p of obj.properties) {
      if (!ts.isPropertyAssignment(p) || !(ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)))
        this.fail(p, "a struct field is `name: type`");
      fields.push({ name: p.name.text, type: this.dataTypeOfValue(p.initializer) });
    }
    if (fields.length === 0) this.fail(call, "a struct needs at least one field");
    return structOf(name, fields);
  }

  private structOfClass(decl: TS.ClassDeclaration): StructT {
    const hit = this.structs.get(decl);
    if (hit) return hit;
    const ts = this.ts;
    const heritage = decl.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
    const base = heritage?.expression;
    if (base && decl.getSourceFile().isDeclarationFile) {
      // A declaration file (tsbpf/kernel as built, a library): `extends X_base`, with the layout in
      // X_base's type, StructType<{ field: IntType<"u16">, … }>.
      const t = this.structFromType(decl.name?.text ?? "anon", this.checker.getTypeAtLocation(base), decl);
      this.structs.set(decl, t);
      return t;
    }
    if (
      !base ||
      !ts.isCallExpression(base) ||
      !ts.isIdentifier(base.expression) ||
      this.kernelNameOf(base.expression) !== "struct"
    ) {
      this.fail(decl, "classes in kernel code are struct declarations: `class X extends struct({...}) {}`");
    }
    if (decl.members.length > 0)
      this.fail(decl.members[0]!, "a struct class has no members of its own (declare fields in struct({...}))");
    const t = this.structOfLiteral(decl.name?.text ?? "anon", base);
    this.structs.set(decl, t);
    return t;
  }

  /** A struct type read from a StructType<F> type (declaration files keep only types). */
  private structFromType(name: string, type: TS.Type, node: TS.Node): StructT {
    const fieldsSym = type.getProperty("fields");
    if (!fieldsSym) this.fail(node, `${name} is not a struct type`);
    const fieldsType = this.checker.getTypeOfSymbolAtLocation(fieldsSym, node);
    const fields = this.checker.getPropertiesOfType(fieldsType).map((p) => ({
      name: p.getName(),
      type: this.dataFromType(this.checker.getTypeOfSymbolAtLocation(p, node), node),
    }));
    return structOf(name, fields);
  }

  private dataFromType(type: TS.Type, node: TS.Node): DataT {
    const prop = (n: string) => type.getProperty(n);
    const literal = (n: string): string | number | undefined => {
      const sym = prop(n);
      if (!sym) return undefined;
      const t = this.checker.getTypeOfSymbolAtLocation(sym, node);
      return t.isStringLiteral() || t.isNumberLiteral() ? t.value : undefined;
    };
    const kind = literal("kind");
    if (typeof kind === "string" && INTS[kind]) return INTS[kind]!;
    if (prop("fields")) return this.structFromType(type.getSymbol()?.getName() ?? "anon", type, node);
    const length = literal("length");
    const elementSym = prop("element");
    if (typeof length === "number" && elementSym) {
      const element = this.dataFromType(this.checker.getTypeOfSymbolAtLocation(elementSym, node), node);
      // The user-space type tells the flavour: Uint8Array → bytes, string → cstring.
      const decode = prop("decode");
      const sig = decode ? this.checker.getTypeOfSymbolAtLocation(decode, node).getCallSignatures()[0] : undefined;
      const ret = sig ? this.checker.getReturnTypeOfSignature(sig) : undefined;
      const flavor =
        ret && ret.flags & this.ts.TypeFlags.String
          ? "string"
          : ret?.getSymbol()?.getName() === "Uint8Array"
            ? "bytes"
            : "array";
      return arrayOf(element, length, flavor);
    }
    this.fail(node, `cannot read a data type from ${this.checker.typeToString(type)}`);
  }

  private structOfVar(decl: TS.VariableDeclaration, call: TS.CallExpression): StructT {
    const hit = this.structs.get(decl);
    if (hit) return hit;
    const t = this.structOfLiteral(this.ts.isIdentifier(decl.name) ? decl.name.text : "anon", call);
    this.structs.set(decl, t);
    return t;
  }

  typeOfAnnotation(node: TS.TypeNode): ParamType | { k: "struct"; t: DataT } | RetType {
    const ts = this.ts;
    if (node.kind === ts.SyntaxKind.BooleanKeyword) return { k: "bool" };
    if (node.kind === ts.SyntaxKind.VoidKeyword) return { k: "void" };
    if (node.kind === ts.SyntaxKind.NumberKeyword)
      this.fail(node, "number has no width: use u8, u16, u32, u64, i8 … i64");
    if (ts.isParenthesizedTypeNode(node)) return this.typeOfAnnotation(node.type);
    if (ts.isUnionTypeNode(node)) {
      const rest = node.types.filter((t) => !(ts.isLiteralTypeNode(t) && t.literal.kind === ts.SyntaxKind.NullKeyword));
      if (rest.length !== 1 || rest.length === node.types.length) this.fail(node, "unions are only `T | null`");
      const inner = this.typeOfAnnotation(rest[0]!);
      if (inner.k === "struct") return { k: "ptr", t: inner.t, space: "unknown", nullable: true };
      if (inner.k === "kobj") return { ...inner, nullable: true };
      this.fail(node, "only views and kernel objects can be null");
    }
    if (ts.isTypeReferenceNode(node)) {
      const symbol = this.symbolOf(node.typeName);
      const decl = symbol.declarations?.[0];
      if (!decl) this.fail(node, `cannot resolve ${node.typeName.getText()}`);
      const name = symbol.getName();
      if (this.isKernelFile(decl.getSourceFile())) {
        if (INTS[name]) return name === "bool" ? { k: "bool" } : { k: "int", t: INTS[name]! };
        if (CTX_TYPES[name]) return { k: "ctx", ctx: { kind: CTX_TYPES[name]! } };
        if (name === "Dynptr") return { k: "dynptr" };
        if (name === "TracepointContext") {
          const arg = node.typeArguments?.[0];
          if (!arg || !ts.isLiteralTypeNode(arg) || !ts.isStringLiteral(arg.literal))
            this.fail(node, 'TracepointContext<"category/name"> needs the event as a string literal');
          const [category, event] = arg.literal.text.split("/");
          return { k: "ctx", ctx: { kind: "tracepoint", format: this.tracepoint(category!, event!, node) } };
        }
        if (/vmlinux\.(d\.)?ts$/.test(decl.getSourceFile().fileName))
          return { k: "kobj", id: this.btfStruct(name, node), direct: true, nullable: false };
        if (ts.isClassDeclaration(decl)) return { k: "struct", t: this.structOfClass(decl) };
        this.fail(node, `${name} cannot be used as a type in kernel code`);
      }
      if (ts.isClassDeclaration(decl)) return { k: "struct", t: this.structOfClass(decl) };
      if (ts.isTypeAliasDeclaration(decl)) return this.typeOfAnnotation(decl.type);
      if (ts.isEnumDeclaration(decl)) return { k: "int", t: this.enumIntType(decl) };
      this.fail(node, `${name} is not a kernel data type`);
    }
    if (node.kind === ts.SyntaxKind.StringKeyword)
      this.fail(node, "string is not in the subset: strings are only for log messages");
    this.fail(node, `${node.getText()} is not a type kernel code understands`);
  }

  // ---- maps --------------------------------------------------------------------------------------------

  private mapInfo(decl: TS.VariableDeclaration, cls: string, init: TS.NewExpression): MapInfo {
    const hit = this.maps.get(decl);
    if (hit) return hit;
    const ts = this.ts;
    if (!ts.isIdentifier(decl.name)) this.fail(decl, "name the map with a plain identifier");
    if (!ts.isSourceFile(decl.parent.parent.parent)) this.fail(decl, "maps are declared at module level");
    const name = decl.name.text;
    if (name.length > 15) this.fail(decl.name, `map name ${name} is longer than the kernel's 15 characters`);
    const spec = init.arguments?.[0];
    const props = new Map<string, TS.Expression>();
    if (spec) {
      if (!ts.isObjectLiteralExpression(spec)) this.fail(spec, "a map takes an object literal");
      for (const p of spec.properties) {
        if (!ts.isPropertyAssignment(p) || !ts.isIdentifier(p.name)) this.fail(p, "expected `name: value`");
        props.set(p.name.text, p.initializer);
      }
    }
    const num = (key: string, fallback?: number): number => {
      const e = props.get(key);
      if (!e) {
        if (fallback === undefined) this.fail(spec ?? init, `${cls} needs ${key}`);
        return fallback;
      }
      return Number(this.constValue(e));
    };
    const mapType = MAP_CLASSES[cls]!;
    const type = MAP_TYPES[mapType]!;
    const keyExpr = props.get("key"),
      valueExpr = props.get("value");
    const key = keyExpr ? this.dataTypeOfValue(keyExpr) : undefined;
    const value = valueExpr ? this.dataTypeOfValue(valueExpr) : undefined;
    let keySize = key?.size ?? 0,
      valueSize = value?.size ?? 0,
      maxEntries = 0,
      flags = num("flags", 0);
    switch (mapType) {
      case "ringbuf":
      case "user_ringbuf":
        maxEntries = num("size");
        break;
      case "array":
      case "percpu_array":
        keySize = 4;
        maxEntries = num("maxEntries");
        if (props.get("mmapable") && props.get("mmapable")!.kind === ts.SyntaxKind.TrueKeyword)
          flags |= MapFlags.MMAPABLE;
        break;
      case "perf_event_array":
        keySize = 4;
        valueSize = 4;
        maxEntries = num("maxEntries", 0);
        break;
      case "prog_array":
      case "devmap":
      case "cpumap":
      case "xskmap":
      case "sockmap":
      case "reuseport_sockarray":
      case "cgroup_array":
        keySize = 4;
        valueSize = mapType === "cpumap" ? 8 : 4;
        maxEntries = num("maxEntries");
        break;
      case "devmap_hash":
        keySize = 4;
        valueSize = 4;
        maxEntries = num("maxEntries");
        break;
      case "sockhash":
        valueSize = 4;
        maxEntries = num("maxEntries");
        break;
      case "queue":
      case "stack":
        keySize = 0;
        maxEntries = num("maxEntries");
        break;
      case "bloom_filter":
        keySize = 0;
        maxEntries = num("maxEntries");
        break;
      case "lpm_trie":
        maxEntries = num("maxEntries");
        flags |= MapFlags.NO_PREALLOC;
        break;
      case "task_storage":
      case "sk_storage":
      case "cgrp_storage":
      case "inode_storage":
        keySize = 4;
        maxEntries = 0;
        flags |= MapFlags.NO_PREALLOC;
        break;
      case "stack_trace":
        keySize = 4;
        valueSize = 8 * num("depth", 127);
        maxEntries = num("maxEntries");
        break;
      case "array_of_maps":
      case "hash_of_maps": {
        keySize = mapType === "array_of_maps" ? 4 : keySize;
        valueSize = 4;
        maxEntries = num("maxEntries");
        break;
      }
      default:
        maxEntries = num("maxEntries");
    }
    if ((mapType === "hash" || mapType.endsWith("_hash") || mapType === "lpm_trie") && (!key || !value))
      this.fail(init, `${cls} needs key and value types`);
    const info: MapInfo = { name, mapType, type, keySize, valueSize, maxEntries, flags, key, value };
    const pin = props.get("pinning");
    if (pin && ts.isStringLiteral(pin) && pin.text === "byName") info.pinning = "byName";
    const inner = props.get("inner");
    if (inner && ts.isIdentifier(inner)) {
      const r = this.resolve(inner);
      if (r.kind === "map") info.inner = r.map;
    }
    if (mapType === "bloom_filter") info.extra = num("hashes", 0);
    this.claimName(name, decl);
    this.maps.set(decl, info);
    return info;
  }

  logMap(): MapInfo {
    if (!this.logInfo) {
      this.logInfo = {
        name: "tsbpf_log",
        mapType: "ringbuf",
        type: MAP_TYPES.ringbuf!,
        keySize: 0,
        valueSize: 0,
        maxEntries: 64 * 1024,
        flags: 0,
      };
      this.maps.set(this.entry, this.logInfo);
    }
    return this.logInfo;
  }

  addLogSite(site: Omit<LogSite, "id">): number {
    const id = this.logSites.length + 1;
    this.logSites.push({ id, ...site });
    return id;
  }

  // ---- globals -------------------------------------------------------------------------------------------

  private globalVar(decl: TS.VariableDeclaration): GlobalVar {
    const hit = this.globals.get(decl);
    if (hit) return hit;
    const ts = this.ts;
    if (!ts.isIdentifier(decl.name)) this.fail(decl, "name globals with plain identifiers");
    const name = decl.name.text;
    const isConst = (decl.parent.flags & ts.NodeFlags.Const) !== 0;
    if (!decl.type) this.fail(decl, `global ${name} needs a type annotation (u32, u64 …)`);
    const annotated = this.typeOfAnnotation(decl.type);
    let t: DataT;
    if (annotated.k === "int") t = annotated.t;
    else if (annotated.k === "bool") t = INTS.bool!;
    else if (annotated.k === "struct") t = annotated.t;
    else this.fail(decl.type, "globals are integers or structs");
    let init = 0n;
    if (decl.initializer) {
      if (t.kind !== "int") {
        const init0 = decl.initializer;
        const isZeroed =
          ts.isCallExpression(init0) &&
          ts.isIdentifier(init0.expression) &&
          this.kernelNameOf(init0.expression) === "zeroed";
        if (!isZeroed) this.fail(init0, `struct globals start zeroed: initialize with zeroed(${typeName(t)})`);
      } else {
        init = this.constValue(decl.initializer);
      }
    }
    const sectionName = isConst ? ".rodata" : init !== 0n ? ".data" : ".bss";
    let section = this.sections.get(sectionName);
    if (!section) {
      section = { name: sectionName, size: 0, init: new Uint8Array(0), vars: [] };
      this.sections.set(sectionName, section);
    }
    const align = t.kind === "int" ? t.size : t.align;
    const offset = Math.ceil(section.size / align) * align;
    const size = offset + t.size;
    const bytes = new Uint8Array(Math.ceil(size / 8) * 8);
    bytes.set(section.init);
    if (t.kind === "int" && init !== 0n) {
      const view = new DataView(bytes.buffer);
      const v = BigInt.asUintN(t.size * 8, init);
      for (let i = 0; i < t.size; i++)
        view.setUint8(offset + (t.be ? t.size - 1 - i : i), Number((v >> BigInt(8 * i)) & 0xffn));
    }
    section.init = bytes;
    section.size = size;
    const g: GlobalVar = { name, section: sectionName, offset, t };
    section.vars.push(g);
    this.globals.set(decl, g);
    return g;
  }

  rodataBytes(bytes: Uint8Array): number {
    let section = this.sections.get(".rodata");
    if (!section) {
      section = { name: ".rodata", size: 0, init: new Uint8Array(0), vars: [] };
      this.sections.set(".rodata", section);
    }
    const offset = section.size;
    const grown = new Uint8Array(Math.ceil((offset + bytes.length) / 8) * 8);
    grown.set(section.init);
    grown.set(bytes, offset);
    section.init = grown;
    section.size = offset + bytes.length;
    return offset;
  }

  // ---- functions ------------------------------------------------------------------------------------------

  private functionInfo(decl: TS.FunctionDeclaration): SubFnInfo {
    const hit = this.functions.get(decl);
    if (hit) return hit;
    const ts = this.ts;
    if (!decl.name) this.fail(decl, "module-level functions need a name");
    if (decl.asteriskToken || decl.modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword))
      this.fail(decl, "generators and async functions are not in the subset");
    if (decl.typeParameters?.length) this.fail(decl, "generic functions are not in the subset");
    const params = decl.parameters.map((p) => {
      if (!ts.isIdentifier(p.name)) this.fail(p, "destructuring parameters are not in the subset");
      if (!p.type) this.fail(p, `parameter ${p.name.text} needs a type annotation`);
      if (p.initializer || p.questionToken || p.dotDotDotToken)
        this.fail(p, "optional, default and rest parameters are not in the subset");
      const t = this.typeOfAnnotation(p.type);
      if (t.k === "void") this.fail(p.type, "a parameter cannot be void");
      const type: ParamType =
        t.k === "struct" ? { k: "ptr", t: t.t, space: "unknown", nullable: false } : (t as ParamType);
      return { name: p.name.text, symbol: this.checker.getSymbolAtLocation(p.name)!, type };
    });
    let ret: RetType = { k: "void" };
    if (decl.type) {
      const t = this.typeOfAnnotation(decl.type);
      if (t.k !== "void" && t.k !== "int" && t.k !== "bool")
        this.fail(decl.type, "functions return integers, bool or void");
      ret = t as RetType;
    }
    const inline = ts.getJSDocTags(decl).some((tag) => tag.tagName.text === "inline");
    const info: SubFnInfo = { name: decl.name.text, decl, params, ret, inline };
    if (!inline) this.claimName(info.name, decl.name);
    this.functions.set(decl, info);
    return info;
  }

  /** Asks for a subprogram to be compiled (once). */
  subprogram(fn: SubFnInfo): void {
    if (this.compiled.has(fn.name) || this.pending.includes(fn)) return;
    this.pending.push(fn);
  }

  /** Compiles the subprograms requested so far (and those they request). */
  compilePending(): void {
    while (this.pending.length) {
      const fn = this.pending.shift()!;
      if (this.compiled.has(fn.name)) continue;
      const f = this.guard(() => {
        const low = new FnLower(this, fn.name, "sub");
        low.setReturnType(fn.ret);
        return low.lowerSubprogram(fn);
      });
      if (f) this.compiled.set(fn.name, f);
    }
  }

  /** Lowers a program's entry function. */
  lowerProgram(p: ProgramDecl): IrFunction | undefined {
    return this.guard(() => {
      const ctx: CtxInfo = { kind: p.kind };
      let args: { name: string; type: number }[] | undefined;
      if (p.kind === "tracepoint")
        ctx.format = this.tracepoint(String(p.target.category), String(p.target.name), p.node);
      if (p.kind === "tp_btf") {
        const sig = this.btf().tracepoint(String(p.target.event));
        if (!sig)
          this.fail(
            p.node,
            `the kernel's BTF has no tracepoint ${String(p.target.event)} (tp_btf takes the bare event name, e.g. "sched_switch")`,
          );
        args = sig.params.map((x) => ({ name: x.name, type: x.type }));
      }
      if (p.kind === "iter") {
        const name = `bpf_iter__${String(p.target.target)}`;
        const ids = this.btf().findByName(name, "struct");
        if (!ids.length)
          this.fail(
            p.node,
            `the kernel's BTF has no ${name}: no ${String(p.target.target)} iterator on this kernel (e.g. "task", "tcp", "bpf_map_elem")`,
          );
        ctx.iterStruct = ids[0]!;
      }
      const typed = programArguments(this, p, ctx);
      const low = new FnLower(this, p.name, "main");
      return low.lowerProgram(p.fn, ctx, args, typed);
    });
  }

  // ---- kernel facts ------------------------------------------------------------------------------------------

  btf(): Btf {
    return this.targetBtf ?? kernelBtf();
  }

  btfStruct(name: string, node: TS.Node): number {
    const btf = this.btf();
    for (const kind of ["struct", "union"] as const) {
      const ids = btf.findByName(name, kind);
      if (ids.length) return ids[0]!;
    }
    this.fail(node, `the kernel's BTF has no struct or union ${name}`);
  }

  tracepoint(category: string, name: string, node: TS.Node): TracepointFormat {
    const key = `${category}/${name}`;
    let f = this.tpFormats.get(key);
    if (!f) {
      try {
        f = tracepointFormat(category, name);
      } catch (err) {
        this.fail(node, (err as Error).message);
      }
      this.tpFormats.set(key, f);
    }
    return f;
  }
}
