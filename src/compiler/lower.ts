// Lowering one function of kernel TypeScript to IR: statements to blocks, expressions to
// three-address instructions over virtual registers, integer semantics of eBPF (32- or 64-bit
// arithmetic by type), views of memory addressed as base register + constant offset, null tests
// that become the verifier's null checks, and packet bounds checks emitted where the program tests
// a packet view against null. What tsbpf/kernel adds (kernel functions, map and context methods,
// context fields, kernel objects, log) is looked up in the tables of intrinsics/.
import type * as TS from "typescript";
import { helperId } from "../asm/helpers.js";
import {
  FunctionBuilder,
  type Base,
  type Block,
  type CmpOp,
  type CoreAccess,
  type Instr,
  type IrFunction,
  type MemSize,
  type Operand,
  type PtrKind,
  type VReg,
} from "./ir.js";
import { INTS, typeName, type ArrT, type DataT, type IntT } from "./ktypes.js";
import {
  I64,
  U64,
  boundIn,
  ctOf,
  joinCT,
  describeVal,
  type Binding,
  type CT,
  type CtxInfo,
  type NullInfo,
  type PacketCheck,
  type Space,
  type Val,
  type VarType,
} from "./values.js";
import type { TypeScript } from "./host.js";
import type {
  GlobalVar,
  IntrinsicModule,
  Lowering,
  LValue,
  ParamType,
  Resolved,
  RetType,
  SubFnInfo,
} from "./intrinsics/api.js";
import { lookup } from "./intrinsics/api.js";
import { KERNEL_FUNCTIONS, KERNEL_NAMESPACES } from "./intrinsics/index.js";
import { btfArg, coreOf, kernelArrayElement, kernelMember } from "./intrinsics/kernel-objects.js";
import type { TypedArguments } from "./intrinsics/context.js";
import { ARRAY_METHODS } from "./intrinsics/memory.js";
import { lowerDynptrMethod, lowerMapMethod } from "./intrinsics/maps.js";
import { contextLValue, lowerContextField, lowerContextMethod, MAX_PACKET_OFF } from "./intrinsics/context.js";
import {
  byteSwap,
  evalCmp,
  fitsImm32,
  foldConst,
  maxOfType,
  numericValue,
  operandBound,
  rangeAfter,
  wrap,
  wrapStorage,
  type ArithOp,
} from "./fold.js";

export type { GlobalVar, LogArg, LogSite, ParamType, Resolved, RetType, SubFnInfo } from "./intrinsics/api.js";

/** The module compiler, as one function's lowering sees it. */
export interface ModuleApi extends IntrinsicModule {
  readonly ts: TypeScript;
  fail(node: TS.Node, message: string): never;
  /** A parameter or variable annotation. */
  typeOfAnnotation(node: TS.TypeNode): ParamType | { k: "struct"; t: DataT } | RetType;
}

const NON_NULL_KINDS = new Set<PtrKind>(["ctx", "packet", "stack", "mapValue", "mem", "btf", "map"]);

export class FnLower implements Lowering {
  readonly b: FunctionBuilder;
  private readonly scopes: Map<TS.Symbol, Binding>[] = [new Map()];
  private readonly loops: { brk: Block; cont: Block }[] = [];
  private readonly homes = new Set<VReg>();
  private ctxVal: (Val & { k: "ctx" }) | undefined;
  readonly ts: TypeScript;
  private paramsInstr: Instr & { op: "params" } = { op: "params", regs: [] };
  /** Inlined calls: where `return` goes and what it sets. */
  private inline: { exit: Block; result?: VReg; ret: RetType }[] = [];
  private tempSlots: { off: number; size: number; busy: boolean }[] = [];

  constructor(
    private readonly m: ModuleApi,
    name: string,
    kind: "main" | "sub",
  ) {
    this.b = new FunctionBuilder(name, kind);
    this.ts = m.ts;
    this.b.emit(this.paramsInstr);
  }

  fail(node: TS.Node, message: string): never {
    return this.m.fail(node, message);
  }

  get module(): IntrinsicModule {
    return this.m;
  }

  context(): (Val & { k: "ctx" }) | undefined {
    return this.ctxVal;
  }

  private readonly intrinsicState = new Map<object, unknown>();

  state<T>(key: object, make: () => T): T {
    if (!this.intrinsicState.has(key)) this.intrinsicState.set(key, make());
    return this.intrinsicState.get(key) as T;
  }

  // ---- entry points -----------------------------------------------------------------------------

  /** A program's entry: `(ctx, ...args) => body`. */
  lowerProgram(
    fn: TS.ArrowFunction | TS.FunctionExpression | TS.MethodDeclaration,
    ctx: CtxInfo,
    tpBtfArgs?: { name: string; type: number }[],
    typedArgs?: TypedArguments,
  ): IrFunction {
    this.b.currentLoc = this.m.loc(fn);
    const ctxReg = this.b.vreg("ctx");
    this.paramsInstr.regs.push(ctxReg);
    this.ctxVal = { k: "ctx", ctx, reg: ctxReg };
    const params = fn.parameters;
    if (typedArgs?.withoutContext) {
      // struct_ops callbacks: every parameter is an argument; the context is only their array.
      if (params.length > typedArgs.readers.length) this.fail(params[typedArgs.readers.length]!, typedArgs.tooMany);
      params.forEach((p, i) => this.bindParam(p, { kind: "val", val: typedArgs.readers[i]!(this, ctxReg) }));
      if (!fn.body) this.fail(fn, "the callback has no body");
      this.lowerBody(fn.body, { k: "int", t: INTS.u64! });
      return this.b.finish(1, true, this.m.loc(fn));
    }
    if (params.length > 0) this.bindParam(params[0]!, { kind: "val", val: this.ctxVal });
    if (ctx.kind === "tp_btf") {
      const args = tpBtfArgs ?? [];
      if (params.length - 1 > args.length)
        this.fail(params[args.length + 1]!, `tp_btf event has ${args.length} argument(s)`);
      for (let i = 1; i < params.length; i++) {
        const arg = args[i - 1]!;
        this.bindParam(params[i]!, { kind: "val", val: btfArg(this, ctxReg, i - 1, arg.type, params[i]!) });
      }
    } else if (typedArgs) {
      if (params.length - 1 > typedArgs.readers.length)
        this.fail(params[typedArgs.readers.length + 1]!, typedArgs.tooMany);
      for (let i = 1; i < params.length; i++)
        this.bindParam(params[i]!, { kind: "val", val: typedArgs.readers[i - 1]!(this, ctxReg) });
    } else if (params.length > 1) {
      this.fail(params[1]!, "a program takes one parameter, its context");
    }
    if (!fn.body) this.fail(fn, "the program has no body");
    this.lowerBody(fn.body, { k: "int", t: INTS.i32! });
    return this.b.finish(1, true, this.m.loc(fn));
  }

  /** A module-level function compiled as a bpf-to-bpf subprogram. */
  lowerSubprogram(info: SubFnInfo): IrFunction {
    this.b.currentLoc = this.m.loc(info.decl);
    info.params.forEach((p) => {
      const reg = this.b.vreg(
        p.type.k === "ctx" ? "ctx" : p.type.k === "int" || p.type.k === "bool" ? "scalar" : "pointer",
      );
      this.paramsInstr.regs.push(reg);
      this.scopes[0]!.set(p.symbol, this.paramBinding(reg, p.type));
    });
    if (!info.decl.body) this.fail(info.decl, `function ${info.name} has no body`);
    this.lowerBody(info.decl.body, info.ret);
    return this.b.finish(info.params.length, info.ret.k !== "void", this.m.loc(info.decl));
  }

  private paramBinding(reg: VReg, type: ParamType): Binding {
    this.homes.add(reg);
    if (type.k === "ctx") {
      const val: Val = { k: "ctx", ctx: type.ctx, reg };
      this.ctxVal ??= val as Val & { k: "ctx" };
      return { kind: "val", val };
    }
    if (type.k === "dynptr") return { kind: "val", val: { k: "dynptr", reg } };
    return { kind: "var", reg, vt: type };
  }

  private bindParam(p: TS.ParameterDeclaration, binding: Binding): void {
    if (!this.ts.isIdentifier(p.name)) this.fail(p, "destructuring parameters are not in the subset");
    const symbol = this.m.checker.getSymbolAtLocation(p.name);
    if (symbol) this.scopes[0]!.set(symbol, binding);
  }

  private lowerBody(body: TS.ConciseBody, ret: RetType): void {
    if (this.ts.isBlock(body)) {
      this.statements(body.statements);
      if (!this.b.terminated) this.b.terminate({ op: "ret", value: { imm: 0 } });
    } else {
      this.b.currentLoc = this.m.loc(body);
      this.returnValue(body, ret);
    }
    // Blocks nothing reached (after return/break) are dropped later; give them an exit.
    for (const blk of this.b.blocks) if (!blk.term) blk.term = { op: "ret", value: { imm: 0 } };
  }

  // ---- statements -------------------------------------------------------------------------------

  private statements(list: readonly TS.Statement[]): void {
    for (const s of list) this.statement(s);
  }

  private withScope(f: () => void): void {
    this.scopes.push(new Map());
    try {
      f();
    } finally {
      this.scopes.pop();
    }
  }

  private statement(s: TS.Statement): void {
    const ts = this.ts;
    this.b.currentLoc = this.m.loc(s);
    this.releaseTemps();
    if (ts.isBlock(s)) return this.withScope(() => this.statements(s.statements));
    if (ts.isExpressionStatement(s)) {
      this.effect(s.expression);
      return;
    }
    if (ts.isVariableStatement(s)) return this.variables(s.declarationList);
    if (ts.isIfStatement(s)) return this.ifStatement(s);
    if (ts.isReturnStatement(s)) return this.returnStatement(s);
    if (ts.isForStatement(s)) return this.forStatement(s);
    if (ts.isWhileStatement(s)) return this.whileStatement(s);
    if (ts.isDoStatement(s)) return this.doStatement(s);
    if (ts.isBreakStatement(s) || ts.isContinueStatement(s)) {
      if (s.label) this.fail(s, "labelled break/continue is not in the subset");
      const loop = this.loops.at(-1);
      if (!loop) this.fail(s, `${ts.isBreakStatement(s) ? "break" : "continue"} outside a loop or switch`);
      if (ts.isContinueStatement(s) && loop.cont === loop.brk) {
        // A switch inside a loop: continue belongs to the enclosing loop.
        const outer = [...this.loops].reverse().find((l) => l.cont !== l.brk);
        if (!outer) this.fail(s, "continue outside a loop");
        this.b.jump(outer.cont);
        return;
      }
      this.b.jump(ts.isBreakStatement(s) ? loop.brk : loop.cont);
      return;
    }
    if (ts.isSwitchStatement(s)) return this.switchStatement(s);
    if (ts.isEmptyStatement(s)) return;
    if (ts.isFunctionDeclaration(s))
      this.fail(s, "nested functions are not in the subset: declare the function at module level");
    if (ts.isTryStatement(s)) this.fail(s, "try/catch is not in the subset: eBPF has no exceptions");
    if (ts.isThrowStatement(s))
      this.fail(s, "throw is not in the subset: eBPF has no exceptions (return an error code)");
    if (ts.isForOfStatement(s) || ts.isForInStatement(s))
      this.fail(s, "for…of / for…in are not in the subset: use a counted for loop");
    if (ts.isLabeledStatement(s)) this.fail(s, "labelled statements are not in the subset");
    if (ts.isClassDeclaration(s)) this.fail(s, "classes inside functions are not in the subset");
    this.fail(s, `${ts.SyntaxKind[s.kind]} is not in the subset`);
  }

  private variables(list: TS.VariableDeclarationList): void {
    const ts = this.ts;
    const isConst = (list.flags & ts.NodeFlags.Const) !== 0;
    if (!isConst && !(list.flags & ts.NodeFlags.Let)) this.fail(list, "use let or const, not var");
    for (const d of list.declarations) {
      if (!ts.isIdentifier(d.name)) this.fail(d, "destructuring is not in the subset");
      const symbol = this.m.checker.getSymbolAtLocation(d.name);
      if (!symbol) this.fail(d, "unresolved variable");
      const annotated = d.type ? this.m.typeOfAnnotation(d.type) : undefined;
      if (annotated && annotated.k === "ctx") this.fail(d, "contexts cannot be stored in variables");
      if (annotated && annotated.k === "void") this.fail(d, "a variable cannot be void");
      // A struct-typed local: storage on the stack, filled by an object literal (or a copy).
      if (annotated && annotated.k === "struct") {
        if (
          d.initializer &&
          !ts.isObjectLiteralExpression(d.initializer) &&
          !ts.isArrayLiteralExpression(d.initializer)
        ) {
          const v = this.expr(d.initializer);
          if (v.k === "ptr" && sameType(v.t, annotated.t)) {
            this.bind(symbol, { kind: "val", val: this.stableVal(v) });
            continue;
          }
          this.fail(d.initializer, `expected ${typeName(annotated.t)}, got ${describeVal(v)}`);
        }
        const off = this.b.allocStack(annotated.t.size, Math.max(8, 1));
        const view: Val = { k: "ptr", t: annotated.t, base: { fp: true }, off, space: "stack" };
        if (d.initializer) this.initAggregate(d.initializer, annotated.t, { fp: true }, off);
        else this.zero({ fp: true }, off, annotated.t.size);
        this.bind(symbol, { kind: "val", val: view });
        continue;
      }
      if (!d.initializer) {
        if (!annotated) this.fail(d, "a variable without an initializer needs a type annotation");
        const vt = annotated as VarType;
        const reg = this.b.vreg(vt.k === "int" || vt.k === "bool" ? "scalar" : "pointer");
        this.homes.add(reg);
        this.bind(symbol, { kind: "var", reg, vt });
        continue;
      }
      let want: IntT | undefined = annotated?.k === "int" ? annotated.t : undefined;
      const init = this.expr(d.initializer, want);
      if (isConst && !annotated) {
        this.bind(symbol, { kind: "val", val: this.stableVal(init) });
        continue;
      }
      // A let of a packet read would hold its number read without the bounds check, and never null.
      if (!annotated && this.unnarrowedScalar(init, d.initializer))
        this.fail(d.initializer, "a let cannot hold a packet read that may be null: test it first, or use const");
      const vt: VarType = annotated ? (annotated as VarType) : this.varTypeOf(init, d.initializer);
      if (isConst && vt.k === "int" && init.k === "const") {
        this.toInt(init, ctOf(vt.t), d.initializer, vt.t); // range check
        this.bind(symbol, { kind: "val", val: { k: "const", value: wrap(init.value, ctOf(vt.t)), ct: ctOf(vt.t) } });
        continue;
      }
      const reg = this.b.vreg(vt.k === "int" || vt.k === "bool" ? "scalar" : "pointer");
      this.homes.add(reg);
      this.assignVar(reg, vt, init, d.initializer);
      const bound = vt.k === "int" ? this.letBound(d, symbol, init) : undefined;
      this.bind(symbol, {
        kind: "var",
        reg,
        vt: bound !== undefined ? { ...(vt as VarType & { k: "int" }), max: bound } : vt,
      });
      want = undefined;
    }
  }

  /**
   * The largest value a `let` integer ever holds, when its initializer and every assignment are
   * non-negative constants (or bounded values): packet offsets computed that way need no clamp.
   */
  private letBound(d: TS.VariableDeclaration, symbol: TS.Symbol, init: Val): bigint | undefined {
    const ts = this.ts;
    const initMax =
      init.k === "const" ? (init.value >= 0n ? init.value : undefined) : init.k === "int" ? init.max : undefined;
    if (initMax === undefined) return undefined;
    let max = initMax;
    let ok = true;
    const fn = ts.findAncestor(d, (n) => ts.isFunctionLike(n));
    const refersTo = (e: TS.Expression) => ts.isIdentifier(e) && this.m.checker.getSymbolAtLocation(e) === symbol;
    const visit = (n: TS.Node): void => {
      if (!ok) return;
      if (ts.isBinaryExpression(n) && refersTo(n.left)) {
        const op = n.operatorToken.kind;
        if (op === ts.SyntaxKind.EqualsToken) {
          let rhs: bigint | undefined;
          try {
            rhs = this.constOf(n.right);
          } catch {
            rhs = undefined;
          }
          if (rhs === undefined || rhs < 0n) ok = false;
          else if (rhs > max) max = rhs;
        } else if (op >= ts.SyntaxKind.FirstCompoundAssignment && op <= ts.SyntaxKind.LastCompoundAssignment) {
          ok = false;
        }
      }
      if (
        (ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) &&
        refersTo(n.operand) &&
        (n.operator === ts.SyntaxKind.PlusPlusToken || n.operator === ts.SyntaxKind.MinusMinusToken)
      )
        ok = false;
      ts.forEachChild(n, visit);
    };
    if (fn) ts.forEachChild(fn, visit);
    return ok ? max : undefined;
  }

  /** A constant expression's value (module constants included), or undefined. */
  private constOf(e: TS.Expression): bigint | undefined {
    const ts = this.ts;
    if (ts.isNumericLiteral(e) || ts.isBigIntLiteral(e)) return numericValue(e, (n, m) => this.fail(n, m));
    if (ts.isParenthesizedExpression(e)) return this.constOf(e.expression);
    if (ts.isIdentifier(e)) {
      const r = this.m.resolve(e);
      if (r.kind === "const") return r.value;
      if (r.kind === "local") {
        for (let k = this.scopes.length - 1; k >= 0; k--) {
          const b = this.scopes[k]!.get(r.symbol);
          if (b?.kind === "val" && b.val.k === "const") return b.val.value;
        }
      }
      return undefined;
    }
    if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) {
      const a = this.constOf(e.left),
        b = this.constOf(e.right);
      return a !== undefined && b !== undefined ? a + b : undefined;
    }
    return undefined;
  }

  private bind(symbol: TS.Symbol, binding: Binding): void {
    this.scopes.at(-1)!.set(symbol, binding);
  }

  /** The type a `let` takes from its initializer. */
  private varTypeOf(v: Val, node: TS.Node): VarType {
    switch (v.k) {
      case "int":
        return {
          k: "int",
          t: v.ct.w === 64 ? (v.ct.signed ? INTS.i64! : INTS.u64!) : v.ct.signed ? INTS.i32! : INTS.u32!,
        };
      case "const":
        return {
          k: "int",
          t: fitsImm32(v.value) ? INTS.i32! : v.value >= 0n && v.value < 1n << 63n ? INTS.i64! : INTS.u64!,
        };
      case "bool":
        return { k: "bool" };
      case "ptr":
        if (v.scalar && v.t.kind === "int")
          return { k: "int", t: v.t.size === 8 ? v.t : v.t.signed ? INTS.i32! : INTS.u32! };
        return { k: "ptr", t: v.t, space: v.space, nullable: v.nullable !== undefined };
      case "kobj":
        return { k: "kobj", id: v.id, direct: v.direct, nullable: v.nullable !== undefined };
      case "null":
        this.fail(node, "a variable initialized with null needs a type annotation (T | null)");
      default:
        this.fail(node, `${describeVal(v)} cannot be stored in a variable`);
    }
  }

  /** Copies a value whose registers might change later (another variable's home). */
  private stableVal(v: Val): Val {
    const copy = (r: VReg): VReg => {
      if (!this.homes.has(r)) return r;
      const n = this.b.vreg(this.b.kinds[r]);
      this.b.emit({ op: "mov", w: 64, dst: n, src: { reg: r } });
      return n;
    };
    if ((v.k === "int" || v.k === "bool") && "reg" in v.op) return { ...v, op: { reg: copy(v.op.reg) } } as Val;
    if ((v.k === "ptr" || v.k === "kobj" || v.k === "karray") && "reg" in v.base) {
      const base = { reg: copy(v.base.reg) };
      const out = { ...v, base } as Val & { nullable?: NullInfo };
      if (out.nullable?.kind === "reg" && out.nullable.reg === (v.base as { reg: VReg }).reg)
        out.nullable = { kind: "reg", reg: base.reg };
      return out;
    }
    return v;
  }

  private assignVar(reg: VReg, vt: VarType, v: Val, node: TS.Node): void {
    switch (vt.k) {
      case "int": {
        const ct = ctOf(vt.t);
        const iv = this.narrow(this.toInt(v, ct, node, vt.t), vt.t);
        this.b.emit({ op: "mov", w: 64, dst: reg, src: iv.op });
        return;
      }
      case "bool": {
        const bv = this.toBool(v, node);
        this.b.emit({ op: "mov", w: 64, dst: reg, src: bv.op });
        return;
      }
      case "ptr": {
        if (v.k === "null") {
          this.b.emit({ op: "mov", w: 64, dst: reg, src: { imm: 0 } });
          return;
        }
        if (v.k !== "ptr") this.fail(node, `expected a ${typeName(vt.t)} view, got ${describeVal(v)}`);
        // A non-null variable: tsc proved the value was tested already, the address is valid.
        const addr = vt.nullable ? this.pointerOrNull(v, node) : this.addressReg(v.base, v.off, "pointer");
        this.b.emit({ op: "mov", w: 64, dst: reg, src: { reg: addr } });
        return;
      }
      case "kobj": {
        if (v.k === "null") {
          this.b.emit({ op: "mov", w: 64, dst: reg, src: { imm: 0 } });
          return;
        }
        if (v.k !== "kobj") this.fail(node, `expected a kernel object, got ${describeVal(v)}`);
        this.b.emit({ op: "mov", w: 64, dst: reg, src: { reg: this.addressReg(v.base, v.off, "btf", coreOf(v)) } });
        return;
      }
    }
  }

  private readVar(binding: Binding & { kind: "var" }): Val {
    const { reg, vt } = binding;
    switch (vt.k) {
      case "int": {
        const typeMax = maxOfType(vt.t);
        const max = vt.max !== undefined && (typeMax === undefined || vt.max < typeMax) ? vt.max : typeMax;
        return { k: "int", ct: ctOf(vt.t), op: { reg }, max };
      }
      case "bool":
        return { k: "bool", op: { reg } };
      case "ptr":
        return {
          k: "ptr",
          t: vt.t,
          base: { reg },
          off: 0,
          space: vt.space,
          nullable: vt.nullable ? { kind: "reg", reg } : undefined,
        };
      case "kobj":
        return {
          k: "kobj",
          id: vt.id,
          base: { reg },
          off: 0,
          direct: vt.direct,
          nullable: vt.nullable ? { kind: "reg", reg } : undefined,
        };
    }
  }

  private ifStatement(s: TS.IfStatement): void {
    const then = this.b.newBlock("then");
    const join = this.b.newBlock("endif");
    const otherwise = s.elseStatement ? this.b.newBlock("else") : join;
    this.cond(s.expression, then, otherwise);
    this.b.setBlock(then);
    this.statement(s.thenStatement);
    this.b.jump(join);
    if (s.elseStatement) {
      this.b.setBlock(otherwise);
      this.statement(s.elseStatement);
      this.b.jump(join);
    }
    this.b.setBlock(join);
  }

  private returnStatement(s: TS.ReturnStatement): void {
    const inl = this.inline.at(-1);
    const ret = inl ? inl.ret : (this.currentRet ?? { k: "int", t: INTS.i32! });
    if (!s.expression) {
      if (inl) {
        this.b.jump(inl.exit);
        return;
      }
      this.b.terminate({ op: "ret", value: { imm: 0 } });
      return;
    }
    this.returnValue(s.expression, ret);
  }

  private currentRet: RetType | undefined;

  setReturnType(ret: RetType): void {
    this.currentRet = ret;
  }

  private returnValue(e: TS.Expression, ret: RetType): void {
    const v = this.expr(e, ret.k === "int" ? ret.t : undefined);
    const inl = this.inline.at(-1);
    let op: Operand;
    if (v.k === "void") op = { imm: 0 };
    else if (ret.k === "bool" || v.k === "bool") op = this.toBool(v, e).op;
    else op = this.toInt(v, ret.k === "int" ? ctOf(ret.t) : I64, e).op;
    if (inl) {
      if (inl.result !== undefined) this.b.emit({ op: "mov", w: 64, dst: inl.result, src: op });
      this.b.jump(inl.exit);
      return;
    }
    this.b.terminate({ op: "ret", value: op });
  }

  private forStatement(s: TS.ForStatement): void {
    this.withScope(() => {
      if (s.initializer) {
        if (this.ts.isVariableDeclarationList(s.initializer)) this.variables(s.initializer);
        else this.effect(s.initializer);
      }
      const head = this.b.newBlock("for");
      const body = this.b.newBlock("body");
      const step = this.b.newBlock("step");
      const exit = this.b.newBlock("endfor");
      this.b.jump(head);
      this.b.setBlock(head);
      if (s.condition) this.cond(s.condition, body, exit);
      else this.b.jump(body);
      this.b.setBlock(body);
      this.loops.push({ brk: exit, cont: step });
      this.statement(s.statement);
      this.loops.pop();
      this.b.jump(step);
      this.b.setBlock(step);
      this.b.currentLoc = this.m.loc(s);
      if (s.incrementor) this.effect(s.incrementor);
      this.b.jump(head);
      this.b.setBlock(exit);
    });
  }

  private whileStatement(s: TS.WhileStatement): void {
    const head = this.b.newBlock("while");
    const body = this.b.newBlock("body");
    const exit = this.b.newBlock("endwhile");
    this.b.jump(head);
    this.b.setBlock(head);
    this.cond(s.expression, body, exit);
    this.b.setBlock(body);
    this.loops.push({ brk: exit, cont: head });
    this.statement(s.statement);
    this.loops.pop();
    this.b.jump(head);
    this.b.setBlock(exit);
  }

  private doStatement(s: TS.DoStatement): void {
    const body = this.b.newBlock("do");
    const test = this.b.newBlock("dotest");
    const exit = this.b.newBlock("enddo");
    this.b.jump(body);
    this.b.setBlock(body);
    this.loops.push({ brk: exit, cont: test });
    this.statement(s.statement);
    this.loops.pop();
    this.b.jump(test);
    this.b.setBlock(test);
    this.b.currentLoc = this.m.loc(s.expression);
    this.cond(s.expression, body, exit);
    this.b.setBlock(exit);
  }

  private switchStatement(s: TS.SwitchStatement): void {
    const ts = this.ts;
    let disc = this.expr(s.expression);
    // A packet read out of bounds (null) matches no case label.
    const exit = this.b.newBlock("endswitch");
    const clauses = s.caseBlock.clauses;
    const defaultIndex = clauses.findIndex((c) => ts.isDefaultClause(c));
    const bodies = clauses.map((c) => this.b.newBlock(ts.isDefaultClause(c) ? "default" : "case"));
    const defaultBlock: Block = defaultIndex >= 0 ? bodies[defaultIndex]! : exit;
    if (this.unnarrowedScalar(disc, s.expression)) {
      const present = this.b.newBlock("read");
      this.nullTest(disc, s.expression, defaultBlock, present);
      this.b.setBlock(present);
    }
    disc = this.deref(disc);
    if (disc.k !== "int" && disc.k !== "const")
      this.fail(s.expression, `switch needs an integer, got ${describeVal(disc)}`);
    const ct = disc.k === "int" ? disc.ct : I64;
    const reg = this.toReg(disc, ct, s.expression);
    const seen = new Set<bigint>();
    clauses.forEach((c, k) => {
      if (ts.isDefaultClause(c)) return;
      const v = this.expr(c.expression);
      if (v.k !== "const") this.fail(c.expression, "case labels must be constants");
      const value = wrap(v.value, ct);
      if (seen.has(value)) this.fail(c.expression, `duplicate case ${v.value}`);
      seen.add(value);
      const next = this.b.newBlock("nextcase");
      this.b.terminate({
        op: "br",
        cmp: "eq",
        w: ct.w,
        a: reg,
        b: this.immOrReg(value, ct),
        then: bodies[k]!,
        else: next,
      });
      this.b.setBlock(next);
    });
    this.b.jump(defaultBlock);
    this.loops.push({ brk: exit, cont: exit });
    clauses.forEach((c, k) => {
      this.b.setBlock(bodies[k]!);
      this.withScope(() => this.statements(c.statements));
      this.b.jump(bodies[k + 1] ?? exit);
    });
    this.loops.pop();
    this.b.setBlock(exit);
  }

  // ---- expressions for effect ------------------------------------------------------------------

  private effect(e: TS.Expression): void {
    const ts = this.ts;
    if (
      ts.isPostfixUnaryExpression(e) ||
      (ts.isPrefixUnaryExpression(e) &&
        (e.operator === ts.SyntaxKind.PlusPlusToken || e.operator === ts.SyntaxKind.MinusMinusToken))
    ) {
      this.increment(e.operand, e.operator === ts.SyntaxKind.PlusPlusToken ? 1n : -1n, e);
      return;
    }
    this.expr(e);
  }

  private increment(target: TS.Expression, by: bigint, node: TS.Node): void {
    const lv = this.lvalue(target);
    if (!lv.intType) this.fail(node, "++/-- need an integer");
    const cur = this.toInt(lv.read(), ctOf(lv.intType), node);
    lv.write(this.arith(by > 0n ? "add" : "sub", cur, { k: "const", value: 1n }, node), node);
  }

  // ---- conditions -------------------------------------------------------------------------------

  /** Lowers a condition as branches to `t` (true) and `f` (false). */
  cond(e: TS.Expression, t: Block, f: Block): void {
    const ts = this.ts;
    if (ts.isParenthesizedExpression(e)) return this.cond(e.expression, t, f);
    if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.ExclamationToken)
      return this.cond(e.operand, f, t);
    if (ts.isBinaryExpression(e)) {
      const op = e.operatorToken.kind;
      if (op === ts.SyntaxKind.AmpersandAmpersandToken) {
        const mid = this.b.newBlock("and");
        this.cond(e.left, mid, f);
        this.b.setBlock(mid);
        this.cond(e.right, t, f);
        return;
      }
      if (op === ts.SyntaxKind.BarBarToken) {
        const mid = this.b.newBlock("or");
        this.cond(e.left, t, mid);
        this.b.setBlock(mid);
        this.cond(e.right, t, f);
        return;
      }
      const cmp = comparison(ts, op);
      if (cmp) {
        if (isNullLiteral(ts, e.right) || isNullLiteral(ts, e.left)) {
          const other = isNullLiteral(ts, e.right) ? e.left : e.right;
          const v = this.expr(other);
          if (cmp !== "eq" && cmp !== "ne") this.fail(e, "only === and !== compare with null");
          return cmp === "eq" ? this.nullTest(v, other, t, f) : this.nullTest(v, other, f, t);
        }
        return this.compare(cmp, e.left, e.right, t, f, e);
      }
    }
    const v = this.expr(e);
    this.truthy(v, e, t, f);
  }

  private truthy(v: Val, node: TS.Expression, t: Block, f: Block): void {
    if (v.k === "ptr" && v.scalar) {
      // A packet read is truthy as its number is: null and 0 are false.
      if (this.unnarrowedScalar(v, node)) {
        const present = this.b.newBlock("read");
        this.nullTest(v, node, f, present);
        this.b.setBlock(present);
      }
      this.truthy(this.deref(v), node, t, f);
      return;
    }
    switch (v.k) {
      case "const":
        this.b.jump(v.value !== 0n ? t : f);
        return;
      case "bool":
      case "int": {
        const reg = this.opReg(v.op, v.k === "int" ? v.ct.w : 64);
        this.b.terminate({
          op: "br",
          cmp: "ne",
          w: v.k === "int" ? v.ct.w : 32,
          a: reg,
          b: { imm: 0 },
          then: t,
          else: f,
        });
        return;
      }
      case "ptr":
      case "kobj":
      case "map":
        if (!v.nullable) {
          this.b.jump(t);
          return;
        }
        this.nullTest(v, node, f, t);
        return;
      case "null":
        this.b.jump(f);
        return;
      default:
        this.fail(node, `${describeVal(v)} is not a condition`);
    }
  }

  /** Branches to `isNull` when the view is null, `notNull` otherwise. */
  private nullTest(v: Val, node: TS.Node, isNull: Block, notNull: Block): void {
    if (v.k === "null") {
      this.b.jump(isNull);
      return;
    }
    if (v.k !== "ptr" && v.k !== "kobj" && v.k !== "map") this.fail(node, `${describeVal(v)} is never null`);
    const n = v.nullable;
    if (!n) {
      this.b.jump(notNull);
      return;
    }
    if (n.kind === "reg") {
      this.b.terminate({ op: "br", cmp: "eq", w: 64, a: n.reg, b: { imm: 0 }, then: isNull, else: notNull });
      return;
    }
    this.packetCheck(n.check, isNull, notNull);
  }

  /** The bounds check: data + offset + size > data_end → isNull. */
  private packetCheck(c: PacketCheck, isNull: Block, ok: Block): void {
    const end = this.b.vreg("packet");
    if ("imm" in c.offset) {
      this.b.emit({ op: "alu", w: 64, alu: "add", dst: end, a: c.data, b: { imm: c.offset.imm + c.size } });
    } else {
      if (c.clamp) {
        const inRange = this.b.newBlock("pktoff");
        this.b.terminate({
          op: "br",
          cmp: "gt",
          w: 64,
          a: c.offset.reg,
          // The verifier gives a packet pointer no range when its offset plus the access can pass 64 KiB.
          b: { imm: MAX_PACKET_OFF - c.size },
          then: isNull,
          else: inRange,
        });
        this.b.setBlock(inRange);
      }
      c.pointer ??= this.b.vreg("packet");
      this.b.emit({ op: "alu", w: 64, alu: "add", dst: c.pointer, a: c.data, b: c.offset });
      this.b.emit({ op: "alu", w: 64, alu: "add", dst: end, a: c.pointer, b: { imm: c.size } });
    }
    this.b.terminate({ op: "br", cmp: "gt", w: 64, a: end, b: { reg: c.end }, then: isNull, else: ok });
  }

  private compare(cmp: CmpOp, le: TS.Expression, re: TS.Expression, t: Block, f: Block, node: TS.Node): void {
    let l = this.expr(le),
      r = this.expr(re);
    if (l.k === "bool" || r.k === "bool") {
      if (cmp !== "eq" && cmp !== "ne") this.fail(node, "booleans only compare with === and !==");
      const lb = this.toBool(l, le),
        rb = this.toBool(r, re);
      const a = this.opReg(lb.op, 32);
      this.b.terminate({ op: "br", cmp, w: 32, a, b: rb.op, then: t, else: f });
      return;
    }
    const lNull = this.unnarrowedScalar(l, le),
      rNull = this.unnarrowedScalar(r, re);
    if (lNull || rNull) {
      if (cmp !== "eq" && cmp !== "ne")
        this.fail(node, "a packet read that may be null only compares with === and !==: test it against null first");
      this.nullsCompared(cmp, lNull ? l : undefined, le, rNull ? r : undefined, re, t, f);
    }
    l = this.deref(l);
    r = this.deref(r);
    if (l.k === "const" && r.k === "const") {
      const res = evalCmp(cmp, l.value, r.value, l.ct && r.ct ? joinCT(l.ct, r.ct) : (l.ct ?? r.ct));
      this.b.jump(res ? t : f);
      return;
    }
    if (l.k === "ptr" || l.k === "kobj" || r.k === "ptr" || r.k === "kobj")
      this.fail(node, "views and kernel objects only compare with null");
    // Constants go right (eBPF compares a register with a register or an immediate).
    if (l.k === "const") {
      [l, r] = [r, l];
      cmp = swapCmp(cmp);
    }
    if (l.k !== "int") this.fail(le, `cannot compare ${describeVal(l)}`);
    if (r.k !== "int" && r.k !== "const") this.fail(re, `cannot compare ${describeVal(r)}`);
    // C's usual arithmetic conversions; a typed constant takes part with its type (i32 -1 < u32 1 is false).
    const ct = r.k === "int" || r.ct ? joinCT(l.ct, r.ct ?? l.ct) : l.ct;
    const a = this.toReg(l, ct, le);
    const b = this.toInt(r, ct, re).op;
    const signedCmp = ct.signed ? signedVariant(cmp) : cmp;
    this.b.terminate({ op: "br", cmp: signedCmp, w: ct.w, a, b, then: t, else: f });
  }

  /**
   * A lazily read integer (`ctx.load(u8, off)`) that tsc has not narrowed to non-null here: its
   * bounds check has not run on this path, so reading it now would be an unchecked packet access.
   */
  private unnarrowedScalar(v: Val, e: TS.Expression): boolean {
    if (v.k !== "ptr" || !v.scalar || !v.nullable) return false;
    const type = this.m.checker.getTypeAtLocation(e);
    const members = type.isUnion() ? type.types : [type];
    return members.some((m) => (m.flags & this.ts.TypeFlags.Null) !== 0);
  }

  /**
   * Runs the bounds checks of the operands that may be null, leaving the builder where both are
   * in bounds. Null equals only null: null === 17 is false, and two reads out of bounds are equal.
   */
  private nullsCompared(
    cmp: "eq" | "ne",
    l: Val | undefined,
    le: TS.Expression,
    r: Val | undefined,
    re: TS.Expression,
    t: Block,
    f: Block,
  ): void {
    const equal = cmp === "eq" ? t : f,
      unequal = cmp === "eq" ? f : t;
    if (l) {
      const lPresent = this.b.newBlock("cmpread");
      const lNull = r ? this.b.newBlock("cmpnull") : unequal;
      this.nullTest(l, le, lNull, lPresent);
      if (r) {
        this.b.setBlock(lNull);
        this.nullTest(r, re, equal, unequal);
      }
      this.b.setBlock(lPresent);
    }
    if (r) {
      const rPresent = this.b.newBlock("cmpread");
      this.nullTest(r, re, unequal, rPresent);
      this.b.setBlock(rPresent);
    }
  }

  // ---- expressions ------------------------------------------------------------------------------

  /** Lowers an expression to a value. `want` types untyped constants (and object literals). */
  expr(e: TS.Expression, want?: IntT): Val {
    const ts = this.ts;
    if (ts.isParenthesizedExpression(e)) return this.expr(e.expression, want);
    if (ts.isNumericLiteral(e) || ts.isBigIntLiteral(e))
      return { k: "const", value: numericValue(e, (n, m) => this.fail(n, m)) };
    if (e.kind === ts.SyntaxKind.TrueKeyword) return { k: "bool", op: { imm: 1 } };
    if (e.kind === ts.SyntaxKind.FalseKeyword) return { k: "bool", op: { imm: 0 } };
    if (e.kind === ts.SyntaxKind.NullKeyword) return { k: "null" };
    if (ts.isIdentifier(e)) return this.identifier(e);
    if (ts.isPropertyAccessExpression(e)) return this.property(e);
    if (ts.isElementAccessExpression(e)) return this.lvalue(e).read();
    if (ts.isCallExpression(e)) return this.call(e, want);
    if (ts.isBinaryExpression(e)) return this.binary(e, want);
    if (ts.isPrefixUnaryExpression(e)) return this.prefix(e, want);
    if (ts.isPostfixUnaryExpression(e)) {
      const lv = this.lvalue(e.operand);
      const old = lv.read();
      if (!lv.intType) this.fail(e, "++/-- need an integer");
      const oldCopy = this.copyInt(this.toInt(old, ctOf(lv.intType), e));
      lv.write(
        this.arith(e.operator === ts.SyntaxKind.PlusPlusToken ? "add" : "sub", oldCopy, { k: "const", value: 1n }, e),
        e,
      );
      return oldCopy;
    }
    if (ts.isConditionalExpression(e)) return this.conditional(e, want);
    if (ts.isAsExpression(e) || ts.isTypeAssertionExpression(e)) {
      const target = this.m.typeOfAnnotation(e.type);
      const v = this.expr(e.expression, target.k === "int" ? target.t : undefined);
      if (target.k === "int" && v.k === "const")
        return { k: "const", value: wrapStorage(v.value, target.t), ct: ctOf(target.t) };
      if (target.k === "int") return this.narrow(this.toInt(v, ctOf(target.t), e), target.t);
      if (target.k === "bool") return this.toBool(v, e);
      this.fail(e, "`as` converts between integer types only");
    }
    if (ts.isNonNullExpression(e))
      this.fail(
        e,
        "non-null assertions (!) are not in the subset: test the value against null so the verifier sees the check",
      );
    if (ts.isObjectLiteralExpression(e))
      this.fail(
        e,
        "an object literal needs a struct type here (annotate the variable, or pass it where a struct is expected)",
      );
    if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return { k: "string", text: e.text };
    if (ts.isTemplateExpression(e)) this.fail(e, "template strings are only for log messages");
    if (ts.isArrowFunction(e) || ts.isFunctionExpression(e))
      this.fail(e, "function expressions are not in the subset: declare a module-level function");
    if (ts.isNewExpression(e)) this.fail(e, "new is only for module-level map declarations");
    if (ts.isArrayLiteralExpression(e)) this.fail(e, "an array literal needs an array type here");
    if (ts.isTypeOfExpression(e)) this.fail(e, "typeof is not in the subset");
    if (ts.isDeleteExpression(e)) this.fail(e, "delete is not in the subset (use map.delete(key))");
    if (ts.isAwaitExpression(e)) this.fail(e, "await is not in the subset");
    if (e.kind === ts.SyntaxKind.ThisKeyword) this.fail(e, "this is not in the subset");
    if (ts.isSpreadElement(e)) this.fail(e, "spread is not in the subset");
    this.fail(e, `${ts.SyntaxKind[e.kind]} is not in the subset`);
  }

  private identifier(id: TS.Identifier): Val {
    if (id.text === "undefined") this.fail(id, "undefined is not in the subset (use null)");
    const r = this.m.resolve(id);
    switch (r.kind) {
      case "local": {
        for (let k = this.scopes.length - 1; k >= 0; k--) {
          const b = this.scopes[k]!.get(r.symbol);
          if (b) return b.kind === "val" ? b.val : this.readVar(b);
        }
        this.fail(id, `${id.text} is not available here (a function cannot see another function's locals)`);
      }
      // falls through (fail never returns)
      case "const":
        return { k: "const", value: r.value };
      case "map":
        return { k: "map", map: r.map };
      case "type":
        return { k: "type", t: r.t };
      case "function":
        return { k: "fn", fn: { name: r.fn.name, node: r.fn } };
      case "global":
        return this.globalView(r.g, id);
      case "kernel": {
        const t = INTS[r.name];
        if (t) return { k: "type", t };
        if (r.name === "log") return { k: "void" };
        this.fail(id, `${r.name} is not a value in kernel code`);
      }
      // falls through
      case "namespace":
        this.fail(id, "a module namespace is not a value");
    }
  }

  private globalView(g: GlobalVar, node: TS.Node): Val {
    const base = this.globalBase(g.section);
    if (g.t.kind === "int") return this.loadInt({ reg: base }, g.offset, g.t, "global");
    return { k: "ptr", t: g.t, base: { reg: base }, off: g.offset, space: "global" };
  }

  private readonly globalBases = new Map<string, VReg>();

  /**
   * The address of a global data section. Inside a loop it is loaded once at the function's start
   * (a 2-slot lddw per iteration costs more than a register); elsewhere where it is used.
   */
  private globalBase(section: string): VReg {
    const cached = this.globalBases.get(section);
    if (cached !== undefined) return cached;
    const base = this.b.vreg("mapValue");
    if (this.loops.length > 0) {
      this.b.entry.instrs.splice(1, 0, {
        op: "ldglobal",
        dst: base,
        section,
        offset: 0,
        loc: this.b.entry.instrs[0]?.loc,
      });
      this.globalBases.set(section, base);
    } else {
      this.b.emit({ op: "ldglobal", dst: base, section, offset: 0 });
    }
    return base;
  }

  private property(e: TS.PropertyAccessExpression): Val {
    const ts = this.ts;
    if (e.questionDotToken) this.fail(e, "optional chaining (?.) is not in the subset: test against null first");
    // Namespaced kernel names (import * as K from "tsbpf/kernel"; K.XDP_PASS).
    if (ts.isIdentifier(e.expression)) {
      const r = this.m.resolve(e.expression);
      if (r.kind === "namespace") return this.identifier(e.name as TS.Identifier);
    }
    const obj = this.expr(e.expression);
    return this.member(obj, e.name.text, e);
  }

  private member(obj: Val, name: string, node: TS.Node): Val {
    switch (obj.k) {
      case "ptr": {
        const t = obj.t;
        if (t.kind === "struct") {
          const field = t.fields.find((f) => f.name === name);
          if (!field) this.fail(node, `${t.name} has no field ${name}`);
          return this.viewAt(obj, obj.off + field.offset, field.type);
        }
        if (t.kind === "array") {
          if (name === "length") return { k: "const", value: BigInt(t.length) };
          this.fail(node, `arrays have length, set() and fill(), not ${name}`);
        }
        if (name === "value") return this.loadInt(obj.base, obj.off, t, obj.space);
        this.fail(node, `an integer cell has .value, not .${name}`);
      }
      // falls through
      case "ctx":
        return lowerContextField(this, obj, name, node);
      case "kobj":
        return kernelMember(this, obj, name, node);
      case "karray":
        if (name === "length") return { k: "const", value: BigInt(obj.length) };
        this.fail(node, `kernel arrays have .length, not .${name}`);
      // falls through
      case "type":
        if (name === "size") return { k: "const", value: BigInt(obj.t.size) };
        this.fail(node, `a type has .size, not .${name}`);
      // falls through
      default:
        this.fail(node, `${describeVal(obj)} has no property ${name}`);
    }
  }

  /** A view of `t` at base+off inside `parent`'s memory (integers are loaded). */
  private viewAt(parent: Val & { k: "ptr" }, off: number, t: DataT): Val {
    if (t.kind === "int") return this.loadInt(parent.base, off, t, parent.space);
    return { k: "ptr", t, base: parent.base, off, space: parent.space };
  }

  loadInt(base: Base, off: number, t: IntT, space: Space): Val {
    const dst = this.b.vreg("scalar");
    this.b.emit({ op: "load", size: t.size, signed: false, dst, base, off });
    if (t.bool) return { k: "bool", op: { reg: dst } };
    if (t.be && t.size > 1) {
      // Swapped in place: eBPF's byte swap is two-address anyway.
      this.b.emit({ op: "endian", bits: (t.size * 8) as 16 | 32 | 64, dst, a: dst });
      return { k: "int", ct: ctOf(t), op: { reg: dst }, max: maxOfType(t) };
    }
    if (t.signed && t.size < 4) {
      const ext = this.b.vreg("scalar");
      this.b.emit({ op: "movsx", w: 32, bits: (t.size * 8) as 8 | 16, dst: ext, a: dst });
      return { k: "int", ct: ctOf(t), op: { reg: ext } };
    }
    void space;
    return { k: "int", ct: ctOf(t), op: { reg: dst }, max: maxOfType(t) };
  }

  /** Stores v at base+off as t; `core`: the store's offset is a CO-RE field access (kernel memory). */
  storeInt(base: Base, off: number, t: IntT, v: Val, node: TS.Node, core?: CoreAccess): void {
    const relocated = core ? { core } : {};
    if (t.bool) {
      const bv = this.toBool(v, node);
      this.b.emit({ op: "store", size: 1, base, off, src: bv.op, ...relocated });
      return;
    }
    const ct = ctOf(t);
    if (v.k === "const") {
      this.checkFits(v, t, node);
      let value = wrap(v.value, ct);
      if (t.be) value = byteSwap(value, t.size);
      const stored = t.size === 8 ? BigInt.asIntN(64, value) : BigInt.asIntN(32, BigInt.asUintN(t.size * 8, value));
      if (t.size < 8 || fitsImm32(stored)) {
        this.b.emit({
          op: "store",
          size: t.size,
          base,
          off,
          src: { imm: Number(t.size === 8 ? stored : BigInt.asIntN(32, stored)) },
          ...relocated,
        });
        return;
      }
    }
    let iv = this.toInt(v, ct, node, t);
    if (t.be && t.size > 1) {
      const swapped = this.b.vreg("scalar");
      this.b.emit({ op: "endian", bits: (t.size * 8) as 16 | 32 | 64, dst: swapped, a: this.opReg(iv.op, ct.w) });
      iv = { k: "int", ct, op: { reg: swapped } };
    }
    this.b.emit({ op: "store", size: t.size, base, off, src: iv.op, ...relocated });
  }

  // ---- lvalues ------------------------------------------------------------------------------------

  private lvalue(e: TS.Expression): LValue {
    const ts = this.ts;
    if (ts.isParenthesizedExpression(e)) return this.lvalue(e.expression);
    if (ts.isIdentifier(e)) {
      const r = this.m.resolve(e);
      if (r.kind === "global") {
        if (r.g.section === ".rodata") this.fail(e, `${e.text} is a constant`);
        const base = this.globalBase(r.g.section);
        if (r.g.t.kind !== "int") this.fail(e, "assign to a global struct's fields, not the whole struct");
        return this.memLValue({ reg: base }, r.g.offset, r.g.t, "global");
      }
      if (r.kind !== "local") this.fail(e, `${e.text} cannot be assigned`);
      for (let k = this.scopes.length - 1; k >= 0; k--) {
        const b = this.scopes[k]!.get(r.symbol);
        if (!b) continue;
        if (b.kind === "val") this.fail(e, `${e.text} is a constant (declare it with let to assign it)`);
        const binding = b;
        return {
          read: () => this.readVar(binding),
          write: (v, node) => this.assignVar(binding.reg, binding.vt, v, node),
          intType: binding.vt.k === "int" ? binding.vt.t : undefined,
          isBool: binding.vt.k === "bool",
        };
      }
      this.fail(e, `${e.text} is not available here`);
    }
    if (ts.isPropertyAccessExpression(e)) {
      const obj = this.expr(e.expression);
      const name = e.name.text;
      if (obj.k === "ptr") {
        if (obj.t.kind === "struct") {
          const field = obj.t.fields.find((f) => f.name === name);
          if (!field) this.fail(e, `${obj.t.name} has no field ${name}`);
          this.checkWritable(obj, e);
          if (field.type.kind === "int") return this.memLValue(obj.base, obj.off + field.offset, field.type, obj.space);
          return this.aggregateLValue(obj.base, obj.off + field.offset, field.type, obj.space);
        }
        if (obj.t.kind === "int" && name === "value") {
          this.checkWritable(obj, e);
          return this.memLValue(obj.base, obj.off, obj.t, obj.space);
        }
      }
      if (obj.k === "ctx") return contextLValue(this, obj, name, e);
      if (obj.k === "kobj") return this.kernelFieldLValue(obj, name, e);
      this.fail(e, `cannot assign to ${name} of ${describeVal(obj)}`);
    }
    if (ts.isElementAccessExpression(e)) {
      const obj = this.expr(e.expression);
      if (obj.k === "karray") {
        const index = this.expr(e.argumentExpression);
        return {
          read: () => kernelArrayElement(this, obj, index, e),
          write: () => this.fail(e, "kernel memory is read-only"),
        };
      }
      if (obj.k !== "ptr" || obj.t.kind !== "array") this.fail(e, `${describeVal(obj)} cannot be indexed`);
      return this.elementLValue(obj as Val & { k: "ptr" }, obj.t, e.argumentExpression, e);
    }
    this.fail(e, "not assignable");
  }

  private checkWritable(obj: Val & { k: "ptr" }, node: TS.Node): void {
    if (obj.space === "ctx") this.fail(node, "this context memory is read-only");
  }

  /**
   * An integer field of kernel memory the verifier lets the program write (struct_ops: a
   * congestion control's tcp_sock.snd_cwnd …); it refuses the fields it does not allow.
   */
  private kernelFieldLValue(obj: Val & { k: "kobj" }, name: string, e: TS.Node): LValue {
    if (!obj.direct)
      this.fail(e, `${name}: this kernel object is read with probe reads, and kernel memory so read cannot be written`);
    const btf = this.m.btf();
    let loc;
    try {
      loc = btf.member(obj.id, name);
    } catch (err) {
      this.fail(e, (err as Error).message);
    }
    const type = btf.resolve(loc.type);
    const t = btf.typeById(type);
    const size = btf.sizeOf(type);
    if (loc.bitfieldSize || !(t.kind === "int" || t.kind === "enum") || ![1, 2, 4, 8].includes(size))
      this.fail(e, `${name} is not a whole integer field; kernel code writes only those`);
    const it = INTS[`${t.signed ? "i" : "u"}${size * 8}`]!;
    const off = obj.off + loc.offset;
    const parent = coreOf(obj);
    const core: CoreAccess | undefined = parent ? { root: parent.root, steps: [...parent.steps, name] } : undefined;
    return {
      read: () => kernelMember(this, obj, name, e),
      write: (v, node) => this.storeInt(obj.base, off, it, v, node, core),
      intType: it,
      isBool: false,
    };
  }

  memLValue(base: Base, off: number, t: IntT, space: Space): LValue {
    return {
      read: () => this.loadInt(base, off, t, space),
      write: (v, node) => this.storeInt(base, off, t, v, node),
      intType: t.bool ? undefined : t,
      isBool: t.bool,
      mem: { base, off, t, space },
    };
  }

  private aggregateLValue(base: Base, off: number, t: DataT, space: Space): LValue {
    return {
      read: () => ({ k: "ptr", t, base, off, space }),
      write: (v, node) => {
        if (this.ts.isObjectLiteralExpression(node) || this.ts.isArrayLiteralExpression(node)) {
          this.initAggregate(node as TS.Expression, t, base, off);
          return;
        }
        if (v.k !== "ptr" || !sameType(v.t, t)) this.fail(node, `expected ${typeName(t)}, got ${describeVal(v)}`);
        this.copyMemory(base, off, v.base, v.off, t.size, space, v.space);
      },
    };
  }

  private elementLValue(arr: Val & { k: "ptr" }, t: ArrT, indexExpr: TS.Expression, node: TS.Node): LValue {
    const index = this.expr(indexExpr);
    const elem = t.elem;
    if (index.k === "const") {
      if (index.value < 0n || index.value >= BigInt(t.length))
        this.fail(indexExpr, `index ${index.value} is outside ${typeName(t)}`);
      const off = arr.off + Number(index.value) * elem.size;
      if (elem.kind === "int") return this.memLValue(arr.base, off, elem, arr.space);
      return this.aggregateLValue(arr.base, off, elem, arr.space);
    }
    if (index.k !== "int") this.fail(indexExpr, `an index must be an integer, got ${describeVal(index)}`);
    if (elem.kind !== "int") this.fail(node, "variable indexes are supported on integer arrays");
    // base + index * size, with the index proven in range (or checked: reads outside give 0, writes are skipped).
    const idx = this.toReg(index, U64, indexExpr);
    const known = index.max !== undefined && index.max < BigInt(t.length);
    // The element is at base + index * size + off: the constant part stays in the load's offset.
    const addr = (): { base: Base; off: number } => {
      let scaled = idx;
      if (elem.size !== 1) {
        scaled = this.b.vreg("scalar");
        this.b.emit({ op: "alu", w: 64, alu: "mul", dst: scaled, a: idx, b: { imm: elem.size } });
      }
      const p = this.b.vreg("pointer");
      if ("fp" in arr.base) {
        this.b.emit({ op: "addr", dst: p, fp: arr.off });
        const q = this.b.vreg("pointer");
        this.b.emit({ op: "alu", w: 64, alu: "add", dst: q, a: p, b: { reg: scaled } });
        return { base: { reg: q }, off: 0 };
      }
      this.b.emit({ op: "alu", w: 64, alu: "add", dst: p, a: arr.base.reg, b: { reg: scaled } });
      return { base: { reg: p }, off: arr.off };
    };
    const guarded = (body: () => void, otherwise?: () => void) => {
      if (known) {
        body();
        return;
      }
      const inRange = this.b.newBlock("inrange");
      const out = this.b.newBlock("outofrange");
      const join = this.b.newBlock("endindex");
      // In range is the likely case: it falls through.
      this.b.terminate({ op: "br", cmp: "ge", w: 64, a: idx, b: { imm: t.length }, then: out, else: inRange });
      this.b.setBlock(inRange);
      body();
      this.b.jump(join);
      this.b.setBlock(out);
      otherwise?.();
      this.b.jump(join);
      this.b.setBlock(join);
    };
    return {
      read: () => {
        const result = this.b.vreg("scalar");
        guarded(
          () => {
            const at = addr();
            const v = this.loadInt(at.base, at.off, elem, arr.space);
            this.b.emit({ op: "mov", w: 64, dst: result, src: v.k === "int" || v.k === "bool" ? v.op : { imm: 0 } });
          },
          () => this.b.emit({ op: "mov", w: 64, dst: result, src: { imm: 0 } }),
        );
        if (elem.bool) return { k: "bool", op: { reg: result } };
        return { k: "int", ct: ctOf(elem), op: { reg: result }, max: maxOfType(elem) };
      },
      write: (v, n) => {
        // Evaluate the value before the branch so both paths see the same registers.
        const value = elem.bool ? this.toBool(v, n) : this.toInt(v, ctOf(elem), n, elem);
        guarded(() => {
          const at = addr();
          this.storeInt(at.base, at.off, elem, value, n);
        });
      },
      intType: elem.bool ? undefined : elem,
      isBool: elem.bool,
    };
  }

  // ---- struct and array initialisation, copies --------------------------------------------------

  /** Fills t at base+off from an object literal (struct) or array literal; bytes not named are zeroed. */
  initAggregate(e: TS.Expression, t: DataT, base: Base, off: number): void {
    const ts = this.ts;
    if (ts.isParenthesizedExpression(e)) return this.initAggregate(e.expression, t, base, off);
    if (t.kind === "struct" && ts.isObjectLiteralExpression(e)) {
      const given = new Map<string, TS.Expression>();
      for (const p of e.properties) {
        if (ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)))
          given.set(p.name.text, p.initializer);
        else if (ts.isShorthandPropertyAssignment(p)) given.set(p.name.text, p.name);
        else this.fail(p, "struct literals take `field: value` pairs");
      }
      for (const name of given.keys())
        if (!t.fields.some((f) => f.name === name)) this.fail(given.get(name)!, `${t.name} has no field ${name}`);
      // Zero what no integer field covers (padding, omitted fields, nested literals fill their own).
      const covered = new Uint8Array(t.size);
      for (const f of t.fields)
        if (
          given.has(f.name) &&
          (f.type.kind === "int" ||
            ts.isObjectLiteralExpression(given.get(f.name)!) ||
            ts.isArrayLiteralExpression(given.get(f.name)!))
        )
          covered.fill(1, f.offset, f.offset + f.type.size);
      this.zeroRanges(base, off, covered);
      for (const f of t.fields) {
        const init = given.get(f.name);
        if (!init) continue;
        if (f.type.kind === "int") {
          this.b.currentLoc = this.m.loc(init);
          this.storeInt(base, off + f.offset, f.type, this.expr(init, f.type), init);
        } else if (ts.isObjectLiteralExpression(init) || ts.isArrayLiteralExpression(init)) {
          this.initAggregate(init, f.type, base, off + f.offset);
        } else {
          const v = this.expr(init);
          if (v.k !== "ptr" || !sameType(v.t, f.type))
            this.fail(init, `field ${f.name} wants ${typeName(f.type)}, got ${describeVal(v)}`);
          this.copyMemory(base, off + f.offset, v.base, v.off, f.type.size);
        }
      }
      return;
    }
    if (t.kind === "array" && ts.isArrayLiteralExpression(e)) {
      if (e.elements.length > t.length) this.fail(e, `${e.elements.length} elements do not fit ${typeName(t)}`);
      const covered = new Uint8Array(t.size);
      covered.fill(1, 0, e.elements.length * t.elem.size);
      this.zeroRanges(base, off, covered);
      e.elements.forEach((el, i) => {
        if (t.elem.kind === "int") this.storeInt(base, off + i * t.elem.size, t.elem, this.expr(el, t.elem), el);
        else this.initAggregate(el, t.elem, base, off + i * t.elem.size);
      });
      return;
    }
    const v = this.expr(e);
    if (v.k !== "ptr" || !sameType(v.t, t)) this.fail(e, `expected ${typeName(t)}, got ${describeVal(v)}`);
    this.copyMemory(base, off, v.base, v.off, t.size);
  }

  private zeroRanges(base: Base, off: number, covered: Uint8Array): void {
    let i = 0;
    while (i < covered.length) {
      if (covered[i]) {
        i++;
        continue;
      }
      let j = i;
      while (j < covered.length && !covered[j]) j++;
      this.zero(base, off + i, j - i);
      i = j;
    }
  }

  /** Zeroes `size` bytes at base+off with the widest aligned stores. */
  zero(base: Base, off: number, size: number): void {
    let at = off;
    const end = off + size;
    while (at < end) {
      let width: MemSize = 1;
      for (const w of [8, 4, 2] as const)
        if (at % w === 0 && at + w <= end) {
          width = w;
          break;
        }
      this.b.emit({ op: "store", size: width, base, off: at, src: { imm: 0 } });
      at += width;
    }
  }

  /**
   * Copies `size` bytes with loads and stores (both sides directly addressable). The stack and
   * the context need aligned accesses; packets, map values and ring buffer records do not (on
   * architectures with efficient unaligned access), so those copies use the widest loads.
   */
  copyMemory(
    dst: Base,
    dstOff: number,
    src: Base,
    srcOff: number,
    size: number,
    dstSpace: Space = "unknown",
    srcSpace: Space = "unknown",
  ): void {
    const loose = (s: Space, b: Base) =>
      !("fp" in b) && (s === "packet" || s === "map" || s === "mem" || s === "global");
    const dstLoose = loose(dstSpace, dst),
      srcLoose = loose(srcSpace, src);
    let k = 0;
    while (k < size) {
      let width: MemSize = 1;
      for (const w of [8, 4, 2] as const)
        if ((dstLoose || (dstOff + k) % w === 0) && (srcLoose || (srcOff + k) % w === 0) && k + w <= size) {
          width = w;
          break;
        }
      const tmp = this.b.vreg("scalar");
      this.b.emit({ op: "load", size: width, signed: false, dst: tmp, base: src, off: srcOff + k });
      this.b.emit({ op: "store", size: width, base: dst, off: dstOff + k, src: { reg: tmp } });
      k += width;
    }
  }

  // ---- integer arithmetic -------------------------------------------------------------------------

  private binary(e: TS.BinaryExpression, want?: IntT): Val {
    const ts = this.ts;
    const op = e.operatorToken.kind;
    if (op === ts.SyntaxKind.EqualsToken) {
      const lv = this.lvalue(e.left);
      const v = this.expr(e.right, lv.intType);
      lv.write(
        v,
        this.ts.isObjectLiteralExpression(e.right) || this.ts.isArrayLiteralExpression(e.right) ? e.right : e.right,
      );
      return v;
    }
    const compound = COMPOUND[op];
    if (compound) {
      const lv = this.lvalue(e.left);
      if (!lv.intType) this.fail(e, `${ts.tokenToString(op)} needs an integer on the left`);
      const cur = this.toInt(lv.read(), ctOf(lv.intType), e.left);
      const result = this.arith(compound, cur, this.expr(e.right, lv.intType), e);
      lv.write(result, e);
      return result;
    }
    if (op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.BarBarToken || comparison(ts, op)) {
      return this.materializeCond(e);
    }
    if (op === ts.SyntaxKind.CommaToken) {
      this.effect(e.left);
      return this.expr(e.right, want);
    }
    if (op === ts.SyntaxKind.QuestionQuestionToken) this.fail(e, "?? is not in the subset: test against null");
    if (op === ts.SyntaxKind.AsteriskAsteriskToken) this.fail(e, "** is not in the subset");
    if (op === ts.SyntaxKind.InstanceOfKeyword || op === ts.SyntaxKind.InKeyword)
      this.fail(e, `${ts.tokenToString(op)} is not in the subset`);
    const alu = ARITH[op];
    if (!alu) this.fail(e, `operator ${ts.tokenToString(op)} is not in the subset`);
    const l = this.expr(e.left, want),
      r = this.expr(e.right, want);
    return this.arith(alu, l, r, e, want);
  }

  /** l op r with eBPF semantics in the operands' common type. */
  arith(op: ArithOp, l: Val, r: Val, node: TS.Node, want?: IntT): Val {
    l = this.deref(l);
    r = this.deref(r);
    const shift = op === "lsh" || op === "shr" || op === "ushr";
    if (l.k === "const" && r.k === "const") {
      // A shift has its left operand's type (C); other operators the operands' common type.
      let ct = l.ct && r.ct ? (shift ? l.ct : joinCT(l.ct, r.ct)) : (l.ct ?? r.ct);
      // The same widening as at run time (below), so folding agrees with the program.
      if (ct && want && ctOf(want).w === 64 && ct.w === 32 && WIDENED_OPS.has(op)) ct = { w: 64, signed: ct.signed };
      const value = foldConst(op, l.value, r.value, node, (n, m) => this.fail(n, m), ct);
      return ct ? { k: "const", value: wrap(value, ct), ct } : { k: "const", value };
    }
    if (l.k === "string" || r.k === "string")
      this.fail(node, "string operations are not in the subset: strings are only for log messages");
    if (l.k !== "int" && l.k !== "const") this.fail(node, `arithmetic needs integers, got ${describeVal(l)}`);
    if (r.k !== "int" && r.k !== "const") this.fail(node, `arithmetic needs integers, got ${describeVal(r)}`);
    let ct: CT;
    if (shift && (l.k === "int" || l.ct)) ct = l.ct!;
    else if (l.k === "int" && r.k === "int") ct = joinCT(l.ct, r.ct);
    else {
      const other = l.k === "const" ? l : (r as Val & { k: "const" });
      const typed = (l.k === "int" ? l : (r as Val & { k: "int" })).ct;
      ct = other.ct ? joinCT(typed, other.ct) : typed;
    }
    if (want && ctOf(want).w === 64 && ct.w === 32 && WIDENED_OPS.has(op)) {
      // Widen before operating when the result is wanted in 64 bits (u64 x = a << 40).
      ct = { w: 64, signed: ct.signed };
    }
    const aluOp: IrAlu =
      op === "shr"
        ? ct.signed
          ? "arsh"
          : "rsh"
        : op === "ushr"
          ? "rsh"
          : op === "div"
            ? ct.signed
              ? "sdiv"
              : "div"
            : op === "mod"
              ? ct.signed
                ? "smod"
                : "mod"
              : op;
    let left = l,
      right = r;
    // Commutative ops keep the constant on the right.
    if (left.k === "const" && COMMUTATIVE_OPS.has(aluOp)) [left, right] = [right, left];
    // A constant shift count is taken modulo the width (the verifier refuses larger immediates).
    if (right.k === "const" && (aluOp === "lsh" || aluOp === "rsh" || aluOp === "arsh"))
      right = { k: "const", value: wrap(right.value, ct) & BigInt(ct.w - 1) };
    const a = this.toReg(left, ct, node);
    const b = this.toInt(right, ct, node).op;
    const dst = this.b.vreg("scalar");
    this.b.emit({ op: "alu", w: ct.w, alu: aluOp, dst, a, b });
    return { k: "int", ct, op: { reg: dst }, max: rangeAfter(aluOp, left, right, ct) };
  }

  private prefix(e: TS.PrefixUnaryExpression, want?: IntT): Val {
    const ts = this.ts;
    switch (e.operator) {
      case ts.SyntaxKind.ExclamationToken:
        return this.materializeCond(e);
      case ts.SyntaxKind.PlusToken:
        return this.expr(e.operand, want);
      case ts.SyntaxKind.MinusToken: {
        const v = this.expr(e.operand, want);
        if (v.k === "const")
          return v.ct ? { k: "const", value: wrap(-v.value, v.ct), ct: v.ct } : { k: "const", value: -v.value };
        if (v.k !== "int") this.fail(e, `cannot negate ${describeVal(v)}`);
        const dst = this.b.vreg("scalar");
        this.b.emit({ op: "neg", w: v.ct.w, dst, a: this.toReg(v, v.ct, e) });
        return { k: "int", ct: v.ct, op: { reg: dst } };
      }
      case ts.SyntaxKind.TildeToken: {
        const v = this.expr(e.operand, want);
        if (v.k === "const")
          return v.ct ? { k: "const", value: wrap(~v.value, v.ct), ct: v.ct } : { k: "const", value: ~v.value };
        if (v.k !== "int") this.fail(e, `cannot complement ${describeVal(v)}`);
        const dst = this.b.vreg("scalar");
        this.b.emit({ op: "alu", w: v.ct.w, alu: "xor", dst, a: this.toReg(v, v.ct, e), b: { imm: -1 } });
        return { k: "int", ct: v.ct, op: { reg: dst } };
      }
      case ts.SyntaxKind.PlusPlusToken:
      case ts.SyntaxKind.MinusMinusToken: {
        this.increment(e.operand, e.operator === ts.SyntaxKind.PlusPlusToken ? 1n : -1n, e);
        return this.lvalue(e.operand).read();
      }
      default:
        this.fail(e, "operator not in the subset");
    }
  }

  private conditional(e: TS.ConditionalExpression, want?: IntT): Val {
    const t = this.b.newBlock("cthen"),
      f = this.b.newBlock("celse"),
      join = this.b.newBlock("cjoin");
    this.cond(e.condition, t, f);
    this.b.setBlock(t);
    const a = this.expr(e.whenTrue, want);
    const result = this.b.vreg("scalar");
    let kind: "int" | "bool" | "ptr";
    let ct: CT = I64;
    let ptrTemplate: (Val & { k: "ptr" }) | undefined;
    if (a.k === "bool") kind = "bool";
    else if (a.k === "int" || a.k === "const") kind = "int";
    else if (a.k === "ptr" || a.k === "null") kind = "ptr";
    else this.fail(e.whenTrue, `a conditional cannot give ${describeVal(a)}`);
    // Decide the type from both branches' static types before emitting the second.
    if (kind === "int") {
      ct = a.k === "int" ? a.ct : want ? ctOf(want) : I64;
      const bType = this.staticIntType(e.whenFalse);
      if (bType) ct = a.k === "int" ? joinCT(ct, bType) : bType;
      this.b.emit({ op: "mov", w: 64, dst: result, src: this.toInt(a, ct, e.whenTrue).op });
    } else if (kind === "bool") {
      this.b.emit({ op: "mov", w: 64, dst: result, src: this.toBool(a, e.whenTrue).op });
    } else {
      if (a.k === "ptr") ptrTemplate = a;
      this.b.emit({
        op: "mov",
        w: 64,
        dst: result,
        src: a.k === "ptr" ? { reg: this.pointerOrNull(a, e.whenTrue) } : { imm: 0 },
      });
    }
    this.b.jump(join);
    this.b.setBlock(f);
    const b = this.expr(e.whenFalse, want);
    if (kind === "int") this.b.emit({ op: "mov", w: 64, dst: result, src: this.toInt(b, ct, e.whenFalse).op });
    else if (kind === "bool") this.b.emit({ op: "mov", w: 64, dst: result, src: this.toBool(b, e.whenFalse).op });
    else {
      if (b.k === "ptr") ptrTemplate ??= b;
      if (b.k !== "ptr" && b.k !== "null") this.fail(e.whenFalse, "both branches must give views of the same type");
      this.b.emit({
        op: "mov",
        w: 64,
        dst: result,
        src: b.k === "null" ? { imm: 0 } : { reg: this.pointerOrNull(b, e.whenFalse) },
      });
    }
    this.b.jump(join);
    this.b.setBlock(join);
    if (kind === "int") {
      const ma = operandBound(a, ct),
        mb = operandBound(b, ct);
      return {
        k: "int",
        ct,
        op: { reg: result },
        max: ma !== undefined && mb !== undefined ? (ma > mb ? ma : mb) : undefined,
      };
    }
    if (kind === "bool") return { k: "bool", op: { reg: result } };
    if (!ptrTemplate) return { k: "null" };
    this.b.kinds[result] = "pointer";
    return {
      k: "ptr",
      t: ptrTemplate.t,
      base: { reg: result },
      off: 0,
      space: ptrTemplate.space,
      nullable: { kind: "reg", reg: result },
    };
  }

  /** The integer type an expression will have, when it is evident without lowering it. */
  private staticIntType(e: TS.Expression): CT | undefined {
    const ts = this.ts;
    if (ts.isIdentifier(e)) {
      const r = this.m.resolve(e);
      if (r.kind === "local") {
        for (let k = this.scopes.length - 1; k >= 0; k--) {
          const b = this.scopes[k]!.get(r.symbol);
          if (b?.kind === "var" && b.vt.k === "int") return ctOf(b.vt.t);
          if (b?.kind === "val" && b.val.k === "int") return b.val.ct;
        }
      }
    }
    return undefined;
  }

  /** A condition used as a value: 0 or 1 in a register. */
  private materializeCond(e: TS.Expression): Val {
    const dst = this.b.vreg("scalar");
    const join = this.b.newBlock("bool");
    const f = this.b.newBlock("false");
    this.b.emit({ op: "mov", w: 64, dst, src: { imm: 1 } });
    this.cond(e, join, f);
    this.b.setBlock(f);
    this.b.emit({ op: "mov", w: 64, dst, src: { imm: 0 } });
    this.b.jump(join);
    this.b.setBlock(join);
    return { k: "bool", op: { reg: dst } };
  }

  // ---- conversions ------------------------------------------------------------------------------

  /** Reads a lazily loaded integer (a tested `ctx.load(u16, off)`). */
  deref(v: Val): Val {
    if (v.k === "ptr" && v.scalar && v.t.kind === "int") return this.loadInt(v.base, v.off, v.t, v.space);
    return v;
  }

  /** An untyped constant must fit the storage type it goes to (negative ones fit unsigned types as in C: -1 is all ones). */
  checkFits(v: Val & { k: "const" }, storage: IntT, node: TS.Node): void {
    if (storage.bool || v.ct) return;
    const bits = BigInt(storage.size * 8);
    const lo = -(1n << (storage.signed ? bits - 1n : bits));
    const hi = storage.signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
    if (v.value < lo || v.value > hi) this.fail(node, `constant ${v.value} does not fit ${storage.name}`);
  }

  /** Converts an integer-like value to the computational type `ct` (constants stay immediates when they fit). */
  toInt(v: Val, ct: CT, node: TS.Node, storage?: IntT): Val & { k: "int" } {
    v = this.deref(v);
    if (v.k === "const") {
      const value = wrap(v.value, ct);
      if (storage) this.checkFits(v, storage, node);
      return { k: "int", ct, op: this.immOrReg(value, ct), max: boundIn(ct, value) };
    }
    if (v.k === "bool") return { k: "int", ct, op: v.op, max: 1n };
    if (v.k !== "int") this.fail(node, `expected an integer, got ${describeVal(v)}`);
    if (v.ct.w === ct.w) return { k: "int", ct, op: v.op, max: boundIn(ct, v.max) };
    if (ct.w === 64) {
      // Zero-extended already (32-bit results clear the upper half): unsigned and known non-negative values.
      if (!v.ct.signed || v.max !== undefined || "imm" in v.op) return { k: "int", ct, op: v.op, max: v.max };
      const dst = this.b.vreg("scalar");
      this.b.emit({ op: "movsx", w: 64, bits: 32, dst, a: v.op.reg });
      return { k: "int", ct, op: { reg: dst } };
    }
    // 64 → 32: keep the low half, zero the high half.
    if ("imm" in v.op) return { k: "int", ct, op: v.op };
    const dst = this.b.vreg("scalar");
    this.b.emit({ op: "mov", w: 32, dst, src: v.op });
    return { k: "int", ct, op: { reg: dst }, max: boundIn(ct, v.max) };
  }

  /** Truncates a 32-bit value to a narrower storage type (u8/u16/i8/i16) held in a register. */
  narrow(v: Val & { k: "int" }, t: IntT): Val & { k: "int" } {
    if (t.size >= 4 || t.bool || "imm" in v.op) return v;
    const limit = maxOfType(t);
    if (!t.signed && v.max !== undefined && limit !== undefined && v.max <= limit) return v;
    const dst = this.b.vreg("scalar");
    if (t.signed) this.b.emit({ op: "movsx", w: 32, bits: (t.size * 8) as 8 | 16, dst, a: v.op.reg });
    else this.b.emit({ op: "alu", w: 32, alu: "and", dst, a: v.op.reg, b: { imm: Number(limit) } });
    return { k: "int", ct: v.ct, op: { reg: dst }, max: limit };
  }

  toBool(v: Val, node: TS.Node): Val & { k: "bool" } {
    v = this.deref(v);
    if (v.k === "bool") return v;
    if (v.k === "const") return { k: "bool", op: { imm: v.value !== 0n ? 1 : 0 } };
    if (v.k === "int") {
      const dst = this.b.vreg("scalar");
      const join = this.b.newBlock("tobool");
      const zero = this.b.newBlock("zero");
      this.b.emit({ op: "mov", w: 64, dst, src: { imm: 1 } });
      this.b.terminate({
        op: "br",
        cmp: "ne",
        w: v.ct.w,
        a: this.opReg(v.op, v.ct.w),
        b: { imm: 0 },
        then: join,
        else: zero,
      });
      this.b.setBlock(zero);
      this.b.emit({ op: "mov", w: 64, dst, src: { imm: 0 } });
      this.b.jump(join);
      this.b.setBlock(join);
      return { k: "bool", op: { reg: dst } };
    }
    this.fail(node, `expected a bool, got ${describeVal(v)}`);
  }

  immOrReg(value: bigint, ct: CT): Operand {
    if (ct.w === 32) return { imm: Number(BigInt.asIntN(32, value)) };
    const s = BigInt.asIntN(64, value);
    if (fitsImm32(s)) return { imm: Number(s) };
    const dst = this.b.vreg("scalar");
    this.b.emit({ op: "lddw", dst, value: s });
    return { reg: dst };
  }

  /** The value in a register (materialising constants). */
  toReg(v: Val, ct: CT, node: TS.Node): VReg {
    const iv = v.k === "bool" ? v : this.toInt(v, ct, node);
    return this.opReg(iv.op, ct.w);
  }

  opReg(op: Operand, w: 32 | 64): VReg {
    if ("reg" in op) return op.reg;
    const dst = this.b.vreg("scalar");
    this.b.emit({ op: "mov", w: w === 32 ? 32 : 64, dst, src: op });
    return dst;
  }

  private copyInt(v: Val & { k: "int" }): Val & { k: "int" } {
    if ("imm" in v.op) return v;
    const dst = this.b.vreg("scalar");
    this.b.emit({ op: "mov", w: 64, dst, src: v.op });
    return { ...v, op: { reg: dst } };
  }

  /** base + off in a register. */
  addressReg(base: Base, off: number, kind: PtrKind, core?: CoreAccess): VReg {
    // A relocated field offset keeps its add even when it is 0 here: it may not be elsewhere.
    if ("reg" in base && off === 0 && (!core || core.steps.length === 0)) return base.reg;
    const dst = this.b.vreg(kind);
    if ("fp" in base) this.b.emit({ op: "addr", dst, fp: off });
    else if (core && core.steps.length)
      this.b.emit({ op: "alu", w: 64, alu: "add", dst, a: base.reg, b: { imm: off }, core });
    else this.b.emit({ op: "alu", w: 64, alu: "add", dst, a: base.reg, b: { imm: off } });
    return dst;
  }

  /** A view as a call argument: its address (stack addresses materialise at the call). */
  pointerArg(v: Val & { k: "ptr" | "kobj" | "karray" }): import("./ir.js").CallArg {
    if ("fp" in v.base) return { fp: v.off };
    return { reg: this.addressReg(v.base, v.off, "pointer", v.k === "ptr" ? undefined : coreOf(v)) };
  }

  /** The view's address, or 0 when it is null (packet views run their bounds check). */
  pointerOrNull(v: Val & { k: "ptr" }, node: TS.Node): VReg {
    const n = v.nullable;
    if (!n || n.kind === "reg") return this.addressReg(v.base, v.off, "pointer");
    const dst = this.b.vreg("pointer");
    const ok = this.b.newBlock("pktok"),
      bad = this.b.newBlock("pktnull"),
      join = this.b.newBlock("pktjoin");
    this.packetCheck(n.check, bad, ok);
    this.b.setBlock(ok);
    this.b.emit({ op: "mov", w: 64, dst, src: { reg: this.addressReg(v.base, v.off, "packet") } });
    this.b.jump(join);
    this.b.setBlock(bad);
    this.b.emit({ op: "mov", w: 64, dst, src: { imm: 0 } });
    this.b.jump(join);
    this.b.setBlock(join);
    void node;
    return dst;
  }

  // ---- temporaries on the stack ------------------------------------------------------------------

  /** A stack slot that lives until the end of the statement. */
  tempSlot(size: number): number {
    const rounded = Math.ceil(size / 8) * 8;
    const free = this.tempSlots.find((s) => !s.busy && s.size >= rounded);
    if (free) {
      free.busy = true;
      return free.off;
    }
    const off = this.b.allocStack(rounded, 8);
    this.tempSlots.push({ off, size: rounded, busy: true });
    return off;
  }

  private releaseTemps(): void {
    for (const s of this.tempSlots) s.busy = false;
  }

  /** A value that a helper needs by address (a key, a value): views as they are, integers spilled to a temp slot. */
  memoryArg(v: Val, t: DataT | undefined, node: TS.Node): import("./ir.js").CallArg {
    if (v.k === "ptr") {
      if (t && !sameType(v.t, t) && !(t.kind === "int" && v.t.kind === "int" && v.t.size === t.size))
        this.fail(node, `expected ${typeName(t)}, got ${describeVal(v)}`);
      return this.pointerArg(v);
    }
    if (!t) this.fail(node, `${describeVal(v)} has no memory to pass`);
    if (t.kind !== "int") this.fail(node, `expected ${typeName(t)}, got ${describeVal(v)}`);
    const off = this.tempSlot(t.size);
    this.storeInt({ fp: true }, off, t, v, node);
    return { fp: off };
  }

  /** An object literal (or a view) as a value of struct/array type t passed by address. */
  aggregateArg(e: TS.Expression, t: DataT): import("./ir.js").CallArg {
    if (t.kind !== "int" && (this.ts.isObjectLiteralExpression(e) || this.ts.isArrayLiteralExpression(e))) {
      const off = this.tempSlot(t.size);
      this.initAggregate(e, t, { fp: true }, off);
      return { fp: off };
    }
    return this.memoryArg(this.expr(e, t.kind === "int" ? t : undefined), t, e);
  }

  // ---- calls ----------------------------------------------------------------------------------------

  private call(e: TS.CallExpression, want?: IntT): Val {
    const ts = this.ts;
    const callee = e.expression;
    if (e.questionDotToken) this.fail(e, "optional calls are not in the subset");
    if (ts.isPropertyAccessExpression(callee)) {
      // log.info(`...`): a kernel value whose methods are intrinsics.
      if (ts.isIdentifier(callee.expression)) {
        const r = this.m.resolve(callee.expression);
        const namespace = r.kind === "kernel" ? lookup(KERNEL_NAMESPACES, r.name) : undefined;
        if (namespace) return namespace(this, e, callee.name.text);
        if (r.kind === "namespace")
          return this.callResolved(this.m.resolve(callee.name as TS.Identifier), callee.name as TS.Identifier, e, want);
      }
      const obj = this.expr(callee.expression);
      const name = callee.name.text;
      if (obj.k === "map") return lowerMapMethod(this, obj.map, name, e, obj.reg);
      if (obj.k === "dynptr") return lowerDynptrMethod(this, obj, name, e);
      if (obj.k === "ctx") return lowerContextMethod(this, obj, name, e);
      if (obj.k === "ptr" && obj.t.kind === "array") return this.arrayMethod(obj as Val & { k: "ptr" }, obj.t, name, e);
      this.fail(callee, `${describeVal(obj)} has no method ${name}`);
    }
    if (ts.isIdentifier(callee)) return this.callResolved(this.m.resolve(callee), callee, e, want);
    this.fail(callee, "only named functions and methods can be called");
  }

  private callResolved(r: Resolved, callee: TS.Identifier, e: TS.CallExpression, want?: IntT): Val {
    if (r.kind === "function") return this.callFunction(r.fn, e);
    if (r.kind === "kernel" && INTS[r.name]) return this.castCall(INTS[r.name]!, e);
    if (r.kind === "kernel") return this.kernelCall(r.name, e, want);
    if (r.kind === "type" && r.t.kind === "int") return this.castCall(r.t, e);
    this.fail(callee, `${callee.text} is not callable in kernel code`);
  }

  private castCall(t: IntT, e: TS.CallExpression): Val {
    if (e.arguments.length !== 1) this.fail(e, `${t.name}(x) takes one argument`);
    const v = this.expr(e.arguments[0]!, t);
    if (t.bool) return this.toBool(v, e);
    if (v.k === "const") return { k: "const", value: wrapStorage(v.value, t), ct: ctOf(t) };
    return this.narrow(this.toInt(v, ctOf(t), e), t);
  }

  args(e: TS.CallExpression, min: number, max = min): readonly TS.Expression[] {
    const n = e.arguments.length;
    if (n < min || n > max) this.fail(e, `expected ${min === max ? min : `${min} to ${max}`} argument(s), got ${n}`);
    return e.arguments;
  }

  helper(name: string, args: import("./ir.js").CallArg[], result: CT | "bool" | "void" | PtrKind = I64): Val {
    const dst =
      result === "void" ? undefined : this.b.vreg(typeof result === "string" && result !== "bool" ? result : "scalar");
    this.b.emit({ op: "call", helper: helperId(name), args, dst });
    if (dst === undefined) return { k: "void" };
    if (result === "bool") return { k: "bool", op: { reg: dst } };
    if (typeof result === "string") return { k: "int", ct: U64, op: { reg: dst } };
    if (result.w === 32) {
      // Helpers return 64-bit values; a 32-bit result keeps only the low half.
      const low = this.b.vreg("scalar");
      this.b.emit({ op: "mov", w: 32, dst: low, src: { reg: dst } });
      return { k: "int", ct: result, op: { reg: low } };
    }
    return { k: "int", ct: result, op: { reg: dst } };
  }

  intArg(e: TS.Expression, ct: CT = U64): import("./ir.js").CallArg {
    const v = this.expr(e, ct.w === 64 ? (ct.signed ? INTS.i64 : INTS.u64) : ct.signed ? INTS.i32 : INTS.u32);
    return this.toInt(v, ct, e).op;
  }

  private kernelCall(name: string, e: TS.CallExpression, want?: IntT): Val {
    const intrinsic = lookup(KERNEL_FUNCTIONS, name);
    if (!intrinsic) this.fail(e.expression, `${name} is not callable in kernel code`);
    return intrinsic(this, e, name, want);
  }

  private arrayMethod(arr: Val & { k: "ptr" }, t: ArrT, name: string, e: TS.CallExpression): Val {
    const method = lookup(ARRAY_METHODS, name);
    if (!method) this.fail(e, `arrays have set() and fill(), not ${name}()`);
    return method(this, arr, t, e);
  }

  // ---- user functions ---------------------------------------------------------------------------

  private callFunction(fn: import("./lower.js").SubFnInfo, e: TS.CallExpression): Val {
    const n = e.arguments.length;
    if (n !== fn.params.length) this.fail(e, `${fn.name} takes ${fn.params.length} argument(s), got ${n}`);
    if (fn.inline) return this.inlineCall(fn, e);
    if (fn.params.length > 5) this.fail(e, `${fn.name} has more than 5 parameters (eBPF passes at most 5)`);
    const args = fn.params.map((p, k) => this.argumentFor(p.type, e.arguments[k]!));
    this.m.subprogram(fn);
    const dst = fn.ret.k === "void" ? undefined : this.b.vreg("scalar");
    this.b.emit({ op: "callLocal", fn: fn.name, args, dst });
    if (dst === undefined) return { k: "void" };
    if (fn.ret.k === "bool") return { k: "bool", op: { reg: dst } };
    const ct = ctOf((fn.ret as { t: IntT }).t);
    if (ct.w === 32) {
      // Subprograms return in r0; the callee's 32-bit results already have a zero upper half.
      return { k: "int", ct, op: { reg: dst }, max: maxOfType((fn.ret as { t: IntT }).t) };
    }
    return { k: "int", ct, op: { reg: dst } };
  }

  private argumentFor(type: ParamType, a: TS.Expression): import("./ir.js").CallArg {
    switch (type.k) {
      case "dynptr": {
        const v = this.expr(a);
        if (v.k !== "dynptr") this.fail(a, `expected a ring buffer record (Dynptr), got ${describeVal(v)}`);
        return { reg: v.reg };
      }
      case "ctx": {
        const v = this.expr(a);
        if (v.k !== "ctx") this.fail(a, `expected the context, got ${describeVal(v)}`);
        return { reg: v.reg };
      }
      case "int":
        return this.toInt(this.expr(a, type.t), ctOf(type.t), a, type.t).op;
      case "bool":
        return this.toBool(this.expr(a), a).op;
      case "ptr": {
        if (this.ts.isObjectLiteralExpression(a) || this.ts.isArrayLiteralExpression(a))
          return this.aggregateArg(a, type.t);
        const v = this.expr(a);
        if (v.k === "null") {
          if (!type.nullable) this.fail(a, "null is not allowed here");
          return { imm: 0 };
        }
        if (v.k !== "ptr" || !sameType(v.t, type.t))
          this.fail(a, `expected ${typeName(type.t)}, got ${describeVal(v)}`);
        // Narrowed by tsc when the parameter is not nullable: the address is valid.
        if (v.nullable && type.nullable) return { reg: this.pointerOrNull(v, a) };
        return this.pointerArg(v);
      }
      case "kobj": {
        const v = this.expr(a);
        if (v.k === "null") return { imm: 0 };
        if (v.k !== "kobj") this.fail(a, `expected a kernel object, got ${describeVal(v)}`);
        return this.pointerArg(v);
      }
    }
  }

  private inlineCall(fn: import("./lower.js").SubFnInfo, e: TS.CallExpression): Val {
    const body = fn.decl.body;
    if (!body) this.fail(fn.decl, `${fn.name} has no body`);
    if (this.inline.some((i) => i.ret === fn.ret && this.inlineStack.includes(fn)))
      this.fail(e, `${fn.name} is inlined into itself`);
    const scope = new Map<TS.Symbol, Binding>();
    const assigned = this.assignedSymbols(body);
    fn.params.forEach((p, k) => {
      const a = e.arguments[k]!;
      if (p.type.k === "ctx" || p.type.k === "dynptr") {
        scope.set(p.symbol, { kind: "val", val: this.expr(a) });
        return;
      }
      if (!assigned.has(p.symbol) && !(this.ts.isObjectLiteralExpression(a) || this.ts.isArrayLiteralExpression(a))) {
        // A parameter the body never assigns is the argument itself (no copy).
        const v = this.expr(a, p.type.k === "int" ? p.type.t : undefined);
        let bound: Val;
        if (p.type.k === "int") bound = this.narrow(this.toInt(v, ctOf(p.type.t), a, p.type.t), p.type.t);
        else if (p.type.k === "bool") bound = this.toBool(v, a);
        else if (p.type.k === "ptr" && v.k === "ptr")
          bound = p.type.nullable ? { ...v } : { ...v, nullable: undefined };
        else if (p.type.k === "kobj" && v.k === "kobj") bound = v;
        else if (v.k === "null") bound = v;
        else this.fail(a, `unexpected argument ${describeVal(v)}`);
        scope.set(p.symbol, { kind: "val", val: this.stableVal(bound) });
        return;
      }
      const reg = this.b.vreg(p.type.k === "int" || p.type.k === "bool" ? "scalar" : "pointer");
      this.homes.add(reg);
      if (p.type.k === "ptr" && (this.ts.isObjectLiteralExpression(a) || this.ts.isArrayLiteralExpression(a))) {
        const arg = this.aggregateArg(a, p.type.t);
        if ("fp" in arg) this.b.emit({ op: "addr", dst: reg, fp: arg.fp });
      } else {
        this.assignVar(reg, p.type, this.expr(a, p.type.k === "int" ? p.type.t : undefined), a);
      }
      scope.set(p.symbol, { kind: "var", reg, vt: p.type });
    });
    const exit = this.b.newBlock(`end_${fn.name}`);
    const result = fn.ret.k === "void" ? undefined : this.b.vreg("scalar");
    const savedScopes = this.scopes.splice(1);
    const savedLoops = this.loops.splice(0);
    this.scopes.push(scope);
    this.inline.push({ exit, result, ret: fn.ret });
    this.inlineStack.push(fn);
    const savedLoc = this.b.currentLoc;
    try {
      this.statements(body.statements);
      this.b.jump(exit);
    } finally {
      this.inline.pop();
      this.inlineStack.pop();
      this.scopes.splice(1);
      this.scopes.push(...savedScopes);
      this.loops.push(...savedLoops);
      this.b.currentLoc = savedLoc;
    }
    this.b.setBlock(exit);
    if (result === undefined) return { k: "void" };
    if (fn.ret.k === "bool") return { k: "bool", op: { reg: result } };
    return { k: "int", ct: ctOf((fn.ret as { t: IntT }).t), op: { reg: result } };
  }

  private readonly inlineStack: import("./lower.js").SubFnInfo[] = [];

  /** Symbols a function body assigns (=, compound assignment, ++/--). */
  private assignedSymbols(body: TS.Node): Set<TS.Symbol> {
    const ts = this.ts;
    const out = new Set<TS.Symbol>();
    const note = (e: TS.Expression) => {
      if (!ts.isIdentifier(e)) return;
      const sym = this.m.checker.getSymbolAtLocation(e);
      if (sym) out.add(sym);
    };
    const visit = (n: TS.Node): void => {
      if (
        ts.isBinaryExpression(n) &&
        n.operatorToken.kind >= ts.SyntaxKind.FirstAssignment &&
        n.operatorToken.kind <= ts.SyntaxKind.LastAssignment
      )
        note(n.left);
      if (
        (ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) &&
        (n.operator === ts.SyntaxKind.PlusPlusToken || n.operator === ts.SyntaxKind.MinusMinusToken)
      )
        note(n.operand);
      ts.forEachChild(n, visit);
    };
    visit(body);
    return out;
  }
}

// ---- tables and small helpers -----------------------------------------------------------------------

type IrAlu = import("./ir.js").AluOp;

const COMMUTATIVE_OPS = new Set<string>(["add", "mul", "and", "or", "xor"]);
/** Operations done in 64 bits when their result is wanted in 64 bits (`const x: u64 = a << 40`). */
const WIDENED_OPS = new Set<string>(["lsh", "mul", "add", "sub"]);

function tokenTable(ts: TypeScript): { arith: Record<number, ArithOp>; compound: Record<number, ArithOp> } {
  const S = ts.SyntaxKind;
  return {
    arith: {
      [S.PlusToken]: "add",
      [S.MinusToken]: "sub",
      [S.AsteriskToken]: "mul",
      [S.SlashToken]: "div",
      [S.PercentToken]: "mod",
      [S.AmpersandToken]: "and",
      [S.BarToken]: "or",
      [S.CaretToken]: "xor",
      [S.LessThanLessThanToken]: "lsh",
      [S.GreaterThanGreaterThanToken]: "shr",
      [S.GreaterThanGreaterThanGreaterThanToken]: "ushr",
    },
    compound: {
      [S.PlusEqualsToken]: "add",
      [S.MinusEqualsToken]: "sub",
      [S.AsteriskEqualsToken]: "mul",
      [S.SlashEqualsToken]: "div",
      [S.PercentEqualsToken]: "mod",
      [S.AmpersandEqualsToken]: "and",
      [S.BarEqualsToken]: "or",
      [S.CaretEqualsToken]: "xor",
      [S.LessThanLessThanEqualsToken]: "lsh",
      [S.GreaterThanGreaterThanEqualsToken]: "shr",
      [S.GreaterThanGreaterThanGreaterThanEqualsToken]: "ushr",
    },
  };
}

let ARITH: Record<number, ArithOp> = {};
let COMPOUND: Record<number, ArithOp> = {};

/** Fills the operator tables (SyntaxKind values come from the loaded compiler). */
export function initTables(ts: TypeScript): void {
  const t = tokenTable(ts);
  ARITH = t.arith;
  COMPOUND = t.compound;
}

function comparison(ts: TypeScript, op: TS.SyntaxKind): CmpOp | undefined {
  const S = ts.SyntaxKind;
  switch (op) {
    case S.EqualsEqualsEqualsToken:
    case S.EqualsEqualsToken:
      return "eq";
    case S.ExclamationEqualsEqualsToken:
    case S.ExclamationEqualsToken:
      return "ne";
    case S.LessThanToken:
      return "lt";
    case S.LessThanEqualsToken:
      return "le";
    case S.GreaterThanToken:
      return "gt";
    case S.GreaterThanEqualsToken:
      return "ge";
    default:
      return undefined;
  }
}

function signedVariant(c: CmpOp): CmpOp {
  return ({ gt: "sgt", ge: "sge", lt: "slt", le: "sle" } as Partial<Record<CmpOp, CmpOp>>)[c] ?? c;
}

function swapCmp(c: CmpOp): CmpOp {
  return (
    (
      { gt: "lt", lt: "gt", ge: "le", le: "ge", sgt: "slt", slt: "sgt", sge: "sle", sle: "sge" } as Partial<
        Record<CmpOp, CmpOp>
      >
    )[c] ?? c
  );
}

function isNullLiteral(ts: TypeScript, e: TS.Expression): boolean {
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  return e.kind === ts.SyntaxKind.NullKeyword;
}

export { joinCT };

export function sameType(a: DataT, b: DataT): boolean {
  if (a === b) return true;
  if (a.kind !== b.kind || a.size !== b.size) return false;
  if (a.kind === "int" && b.kind === "int")
    return a.size === b.size && a.signed === b.signed && a.be === b.be && a.bool === b.bool;
  if (a.kind === "array" && b.kind === "array") return a.length === b.length && sameType(a.elem, b.elem);
  if (a.kind === "struct" && b.kind === "struct") {
    return (
      a.name === b.name &&
      a.fields.length === b.fields.length &&
      a.fields.every(
        (f, i) =>
          f.name === b.fields[i]!.name && f.offset === b.fields[i]!.offset && sameType(f.type, b.fields[i]!.type),
      )
    );
  }
  return false;
}

export { NON_NULL_KINDS };
