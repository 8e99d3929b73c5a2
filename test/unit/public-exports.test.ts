// The names the package exports never shrink: every entry point in package.json `exports` still
// exports every value (at run time) and every type (in its .d.ts) it exported when this list was
// taken. Adding names is fine; removing or renaming one is a breaking change, so it has to be
// done here on purpose (and said so in the change log), not by reorganising an index.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";

function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const up = dirname(dir);
    if (up === dir) throw new Error("package.json not found above the test");
    dir = up;
  }
  return dir;
}

const ROOT = packageRoot();
const PACKAGE = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  exports: Record<string, string | { types: string; default: string }>;
};
const ENTRIES = Object.entries(PACKAGE.exports).flatMap(([name, target]) =>
  typeof target === "string" ? [] : [{ name, ...target }],
);

function missing(expected: readonly string[], actual: Iterable<string>): string[] {
  const have = new Set(actual);
  return expected.filter((name) => !have.has(name));
}

test("every entry point still exports its values", async () => {
  assert.deepEqual(ENTRIES.map((entry) => entry.name).sort(), Object.keys(RUNTIME).sort());
  for (const entry of ENTRIES) {
    const module = (await import(pathToFileURL(join(ROOT, entry.default)).href)) as object;
    const gone = missing(RUNTIME[entry.name]!, Object.keys(module));
    assert.deepEqual(gone, [], `"tsbpf${entry.name.slice(1)}" no longer exports: ${gone.join(", ")}`);
  }
});

test("every entry point still exports its types", () => {
  const program = ts.createProgram(
    ENTRIES.map((entry) => join(ROOT, entry.types)),
    {
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      skipLibCheck: true,
      types: [],
    },
  );
  const checker = program.getTypeChecker();
  for (const entry of ENTRIES) {
    const source = program.getSourceFile(join(ROOT, entry.types));
    assert.ok(source, `${entry.types} is not built`);
    const symbol = checker.getSymbolAtLocation(source);
    assert.ok(symbol, `${entry.types} is not a module`);
    const names = checker.getExportsOfModule(symbol).map((exported) => exported.name);
    const gone = missing([...RUNTIME[entry.name]!, ...TYPE_ONLY[entry.name]!], names);
    assert.deepEqual(gone, [], `"tsbpf${entry.name.slice(1)}" no longer exports the types: ${gone.join(", ")}`);
  }
});

test("the check finds a name that is gone", () => {
  assert.deepEqual(missing(["Program", "XdpProgram"], ["Program"]), ["XdpProgram"]);
});

// The names each entry point exported when this list was taken (values, then type-only names).
const RUNTIME: Record<string, readonly string[]> = {
  ".": [
    "ARRAY_WORDS", "AlreadyAttachedError", "AluOp", "ArrayMap", "ArrayOfMaps", "AsmError",
    "Assembler", "AtomicOp", "AttachPointBusyError", "AttachType", "BPF_ABS", "BPF_ADD",
    "BPF_ADDR_SPACE_CAST", "BPF_ALU", "BPF_ALU64", "BPF_AND", "BPF_ARSH", "BPF_ATOMIC", "BPF_B",
    "BPF_CALL", "BPF_CMPXCHG", "BPF_DIV", "BPF_DW", "BPF_END", "BPF_EXIT", "BPF_FETCH", "BPF_H",
    "BPF_IMM", "BPF_IND", "BPF_JA", "BPF_JCOND", "BPF_JEQ", "BPF_JGE", "BPF_JGT", "BPF_JLE",
    "BPF_JLT", "BPF_JMP", "BPF_JMP32", "BPF_JNE", "BPF_JSET", "BPF_JSGE", "BPF_JSGT", "BPF_JSLE",
    "BPF_JSLT", "BPF_K", "BPF_LD", "BPF_LDDW", "BPF_LDX", "BPF_LOAD_ACQ", "BPF_LSH", "BPF_MAY_GOTO",
    "BPF_MEM", "BPF_MEMSX", "BPF_MOD", "BPF_MOV", "BPF_MUL", "BPF_NEG", "BPF_OR",
    "BPF_PSEUDO_BTF_ID", "BPF_PSEUDO_CALL", "BPF_PSEUDO_FUNC", "BPF_PSEUDO_KFUNC_CALL",
    "BPF_PSEUDO_MAP_FD", "BPF_PSEUDO_MAP_IDX", "BPF_PSEUDO_MAP_IDX_VALUE", "BPF_PSEUDO_MAP_VALUE",
    "BPF_RSH", "BPF_ST", "BPF_STORE_REL", "BPF_STX", "BPF_SUB", "BPF_TO_BE", "BPF_TO_LE", "BPF_W",
    "BPF_X", "BPF_XCHG", "BPF_XOR", "BTF_KIND_MAX", "BTF_MAGIC", "BTF_MAX_NAME_OFFSET",
    "BTF_MAX_TYPE", "BTF_MAX_VLEN", "BTF_VERSION", "BloomFilterMap", "BpfMap", "BpfObject",
    "BpfObjectFile", "Btf", "BtfBuilder", "BtfError", "BtfHeader", "BtfKind", "CandidateCache",
    "CaptureFormatError", "CaptureLinkType", "CgroupSkbProgram", "CgroupSockAddrProgram",
    "CgroupSockProgram", "Class", "CoreReloKind", "CoreRelocationError", "CounterReader",
    "DataSection", "ENUM64_WORDS", "ENUM_WORDS", "ElfError", "ElfFile", "ElfMachineError",
    "EpollEvents", "Errno", "EventReader", "ExternError", "FP", "FUNC_INFO_REC_SIZE", "FdMap",
    "FentryProgram", "FilterCodegen", "FilterError", "FuncLinkage", "HELPERS", "HELPER_MAX_ID",
    "HashMap", "HashOfMaps", "Info", "IntEncoding", "InterfaceNotFoundError", "IterLink",
    "IterProgram", "IterReader", "JmpOp", "KIND_NAMES", "KeyExistsError", "KeyNotFoundError",
    "KeyValueMap", "KeylessMap", "KprobeProgram", "LINE_INFO_REC_SIZE", "LegacyAttachment", "Link",
    "LinkType", "LpmTrieMap", "LruHashMap", "LruPerCpuHashMap", "MEMBER_WORDS", "MapClosedError",
    "MapDefinitionError", "MapError", "MapFlags", "MapFullError", "MapHandle", "MapMismatchError",
    "MapOfMaps", "MapReadOnlyError", "MapSpecError", "MapType", "Mode", "NetlinkError",
    "NotSupportedError", "ObjectBtfError", "ObjectError", "PARAM_WORDS", "POISON_HELPER_ID",
    "POISON_KFUNC_BASE", "PacketRunner", "PerCpuArrayMap", "PerCpuHashMap", "PerCpuMap",
    "PerfBuffer", "PerfEventArray", "PerfEventProgram", "PermissionError", "Poller", "ProgFlags",
    "ProgType", "Program", "ProgramArray", "PseudoCall", "PseudoLd", "PushPopMap", "QueueMap", "R0",
    "R1", "R10", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "R9", "RawTracepointProgram",
    "RelocationError", "RingBufHandle", "RingBufMap", "RingBuffer", "RingRecord", "SECINFO_WORDS",
    "SLOT_SIZE", "SUPPORTED_LINK_TYPES", "SectionFlags", "SectionType", "Size", "SockOpsProgram",
    "Socket", "SocketFilterProgram", "SocketMap", "SocketPairRunner", "Source", "StackMap",
    "SymbolBind", "SymbolType", "SyscallError", "TYPE_WORDS", "TargetNotFoundError", "TcAction",
    "TcProgram", "TcxAction", "TestRunFlags", "TpBtfProgram", "TracepointProgram", "TsTypes",
    "TsbpfError", "TypeCache", "UnknownSectionError", "UpdateFlags", "UprobeProgram",
    "UserRingBufMap", "UserRingBuffer", "VMLINUX_BTF_PATH", "VarLinkage", "VerifierError", "Watch",
    "XDP_TEST_RUN_MAX", "XdpAction", "XdpProgram", "analyzeFilter", "array", "assembleText",
    "attachCgroup", "attachIter", "attachKprobe", "attachKprobeMulti", "attachPerfEventProgram",
    "attachRawTracepoint", "attachSocketFilter", "attachTc", "attachToSocketMap",
    "attachTracepoint", "attachTracing", "attachUprobe", "attachUprobeMulti", "attachXdp",
    "autoAttach", "be16", "be32", "bool", "btfCodec", "buildDag", "bytes", "cbpfToEbpf",
    "cgroup2Path", "checkInstruction", "checkRingSize", "compileFilter", "condText", "coreKindName",
    "cstring", "decode", "defaultInterface", "disassemble", "emitCbpf", "enableRunStats", "encode",
    "encodeFuncInfo", "encodeLineInfo", "ensureBpffs", "ensureTracefs", "enumName", "errnoName",
    "essentialName", "evalDag", "f32", "f64", "fillKconfig", "filterUsesLength",
    "filterableLinkType", "formatInsn", "getLink", "getMap", "getProgram", "hasKernelBtf",
    "helperId", "helperName", "helperSupported", "i16", "i32", "i64", "i8", "insn", "insnClass",
    "insnMode", "insnOp", "insnSize", "insnSource", "insnText", "intData", "internalMapName",
    "isHelperName", "isLddw", "isPerCpuType", "isRegister", "kernelBtf", "kernelBtfBlob",
    "kernelConfig", "kernelSymbolAddress", "kernelVersionCode", "kindName", "kindNumber",
    "kprobeSupport", "lddwInsn", "lddwValue", "lineCol", "link", "linkTypeDescription",
    "linkTypeName", "linuxKernelVersion", "listBtf", "listLinks", "listMaps", "listPrograms",
    "listing", "loadAsKind", "loadBtf", "loadBtfFile", "loadFilterProgram", "loadObject",
    "lowerFilter", "lpmKey", "makeInfo", "mapInfo", "mapKeyValueBtf", "mapTypeSupported",
    "maxSnaplenFor", "memberOffsetWord", "moduleBtf", "none", "onlineCpus", "openCgroup",
    "openPacketSocket", "parseBtfExt", "parseCbpf", "parseFilter", "parseKernelConfig", "perCpu",
    "poisonedAt", "possibleCpuCount", "possibleCpus", "probeFeatures", "programBtf",
    "programInstructions", "programListing", "programTypeSupported", "rawCodec", "readCapture",
    "reg", "regIndex", "replayCapture", "resolveCoreRelo", "resolveExterns", "ringbufSize",
    "runCbpf", "sectionDef", "sectionPatterns", "sectionTarget", "slotCount", "sniffCaptureFormat",
    "socketPair", "struct", "systemFacts", "tcInfo", "testRun", "testRunAsync", "tokenize",
    "totalSlots", "tracepointField", "tracepointFormat", "tsIdentifier", "u16", "u32", "u64", "u8",
    "valText", "validateInstructions", "withNetns", "writePcap", "writePcapng", "xdpInfo",
  ],
  "./kernel": [
    "AF_INET", "AF_INET6", "ArrayMap", "ArrayOfMaps", "BPF_ANY", "BPF_EXIST", "BPF_F_INGRESS",
    "BPF_LOCAL_STORAGE_GET_F_CREATE", "BPF_NOEXIST", "BPF_RB_FORCE_WAKEUP", "BPF_RB_NO_WAKEUP",
    "BloomFilterMap", "CgroupArray", "CgrpStorage", "CpuMap", "DevMap", "DevMapHash",
    "ETH_P_8021AD", "ETH_P_8021Q", "ETH_P_ARP", "ETH_P_IP", "ETH_P_IPV6", "EthHdr", "HashMap",
    "HashOfMaps", "IPPROTO_ICMP", "IPPROTO_ICMPV6", "IPPROTO_TCP", "IPPROTO_UDP", "IcmpHdr",
    "InodeStorage", "Ipv4Hdr", "Ipv6Hdr", "LpmTrieMap", "LruHashMap", "LruPerCpuHashMap",
    "MapDeclaration", "PerCpuArrayMap", "PerCpuHashMap", "PerfEventArray", "ProgramArray",
    "QueueMap", "RingBuf", "SK_DROP", "SK_PASS", "SkStorage", "SockHash", "SockMap", "StackMap",
    "StackTraceMap", "TC_ACT_OK", "TC_ACT_PIPE", "TC_ACT_RECLASSIFY", "TC_ACT_REDIRECT",
    "TC_ACT_SHOT", "TC_ACT_STOLEN", "TC_ACT_UNSPEC", "TaskStorage", "TcpHdr", "UdpHdr",
    "UserRingBuf", "VlanHdr", "XDP_ABORTED", "XDP_DROP", "XDP_PASS", "XDP_REDIRECT", "XDP_TX",
    "XskMap", "addressOf", "array", "atomicAdd", "be16", "be32", "be64", "bool", "bytes", "cast",
    "copy", "cstring", "getCurrentComm", "getCurrentPidTgid", "getCurrentTask", "getCurrentTaskBtf",
    "getCurrentUidGid", "getPrandomU32", "getSmpProcessorId", "hex", "i16", "i32", "i64", "i8",
    "ipv4", "ipv6", "ktimeGetBootNs", "ktimeGetNs", "log", "loop", "mac", "perfEvent",
    "probeReadKernel", "probeReadKernelStr", "probeReadUser", "probeReadUserStr", "rawTracepoint",
    "readKernel", "readUser", "redirect", "sizeOf", "skMsg", "skSkb", "socketFilter", "str",
    "struct", "tc", "tpBtf", "tracepoint", "u16", "u32", "u64", "u8", "uprobe", "uretprobe",
    "viewAs", "xdp", "zeroed",
  ],
  "./compiler": [
    "ARTIFACT_VERSION", "CompileError", "KernelObject", "LogReader", "artifactFor", "artifactPath",
    "codecOf", "compileFile", "compileModule", "compileWith", "formatDiagnostic", "formatLog",
    "isArtifact", "loadTypeScript",
  ],
  "./tools": [
    "ExecTracer", "FlowTracker", "LiveView", "MAX_ARGS", "MAX_ARG_BYTES", "MetricsRegistry",
    "MetricsServer", "MissingPrivilegeError", "NdjsonWriter", "PacketCounter", "TcpTracker",
    "ToolRuntime", "commandLine", "eventLine", "runCount", "runDump", "runExec", "runFlows",
    "runTcp", "runTop",
  ],
  "./vm": [
    "ADDR_HI_BASE", "MAP_PTR_HI", "MAX_FRAMES", "MAX_TAIL_CALLS", "Machine", "Region", "RegionKind",
    "STACK_SIZE", "Vm", "VmArrayMap", "VmBloomFilterMap", "VmBudgetExceeded", "VmError", "VmFault",
    "VmHashMap", "VmLocalStorageMap", "VmLpmTrieMap", "VmMap", "VmPerfBuffer", "VmPerfEventArray",
    "VmProgram", "VmQueueMap", "VmRefMap", "VmRingBufMap", "VmRingBuffer", "VmValidationError",
    "artifactProgram", "compileProgram", "decodeProgram", "findDataFiles", "formatAddress",
    "formatPrintk", "generatedSource", "kernelBackend", "parseDataFile", "parseHexBytes",
    "relocateMaps", "runCase", "runConformance", "runPlugin", "setChunkSize", "simulate",
    "vmBackend",
  ],
  "./asm": [
    "AluOp", "AsmError", "Assembler", "AtomicOp", "BPF_ABS", "BPF_ADD", "BPF_ADDR_SPACE_CAST",
    "BPF_ALU", "BPF_ALU64", "BPF_AND", "BPF_ARSH", "BPF_ATOMIC", "BPF_B", "BPF_CALL", "BPF_CMPXCHG",
    "BPF_DIV", "BPF_DW", "BPF_END", "BPF_EXIT", "BPF_FETCH", "BPF_H", "BPF_IMM", "BPF_IND",
    "BPF_JA", "BPF_JCOND", "BPF_JEQ", "BPF_JGE", "BPF_JGT", "BPF_JLE", "BPF_JLT", "BPF_JMP",
    "BPF_JMP32", "BPF_JNE", "BPF_JSET", "BPF_JSGE", "BPF_JSGT", "BPF_JSLE", "BPF_JSLT", "BPF_K",
    "BPF_LD", "BPF_LDDW", "BPF_LDX", "BPF_LOAD_ACQ", "BPF_LSH", "BPF_MAY_GOTO", "BPF_MEM",
    "BPF_MEMSX", "BPF_MOD", "BPF_MOV", "BPF_MUL", "BPF_NEG", "BPF_OR", "BPF_PSEUDO_BTF_ID",
    "BPF_PSEUDO_CALL", "BPF_PSEUDO_FUNC", "BPF_PSEUDO_KFUNC_CALL", "BPF_PSEUDO_MAP_FD",
    "BPF_PSEUDO_MAP_IDX", "BPF_PSEUDO_MAP_IDX_VALUE", "BPF_PSEUDO_MAP_VALUE", "BPF_RSH", "BPF_ST",
    "BPF_STORE_REL", "BPF_STX", "BPF_SUB", "BPF_TO_BE", "BPF_TO_LE", "BPF_W", "BPF_X", "BPF_XCHG",
    "BPF_XOR", "Class", "FP", "HELPERS", "HELPER_MAX_ID", "JmpOp", "Mode", "PseudoCall", "PseudoLd",
    "R0", "R1", "R10", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "R9", "SLOT_SIZE", "Size",
    "Source", "assembleText", "checkInstruction", "decode", "disassemble", "encode", "formatInsn",
    "helperId", "helperName", "insn", "insnClass", "insnMode", "insnOp", "insnSize", "insnSource",
    "insnText", "isHelperName", "isLddw", "isRegister", "lddwInsn", "lddwValue", "listing", "reg",
    "regIndex", "slotCount", "totalSlots", "validateInstructions",
  ],
  "./btf": [
    "ARRAY_WORDS", "BTF_KIND_MAX", "BTF_MAGIC", "BTF_MAX_NAME_OFFSET", "BTF_MAX_TYPE",
    "BTF_MAX_VLEN", "BTF_VERSION", "Btf", "BtfBuilder", "BtfError", "BtfHeader", "BtfKind",
    "ENUM64_WORDS", "ENUM_WORDS", "FUNC_INFO_REC_SIZE", "FuncLinkage", "Info", "IntEncoding",
    "KIND_NAMES", "LINE_INFO_REC_SIZE", "MEMBER_WORDS", "PARAM_WORDS", "SECINFO_WORDS",
    "TYPE_WORDS", "VMLINUX_BTF_PATH", "VarLinkage", "encodeFuncInfo", "encodeLineInfo",
    "hasKernelBtf", "intData", "kernelBtf", "kindName", "kindNumber", "lineCol", "loadBtf",
    "loadBtfFile", "makeInfo", "mapKeyValueBtf", "memberOffsetWord", "moduleBtf", "programBtf",
  ],
  "./object": [
    "BpfObjectFile", "CandidateCache", "CoreReloKind", "CoreRelocationError", "ElfError", "ElfFile",
    "ElfMachineError", "ExternError", "MapDefinitionError", "ObjectBtfError", "ObjectError",
    "POISON_HELPER_ID", "POISON_KFUNC_BASE", "RelocationError", "SectionFlags", "SectionType",
    "SymbolBind", "SymbolType", "TypeCache", "UnknownSectionError", "coreKindName", "essentialName",
    "fillKconfig", "internalMapName", "kernelBtfBlob", "kernelVersionCode", "link", "parseBtfExt",
    "parseKernelConfig", "poisonedAt", "resolveCoreRelo", "resolveExterns", "ringbufSize",
    "sectionDef", "sectionPatterns", "sectionTarget",
  ],
  "./filter": [
    "FilterCodegen", "FilterError", "PacketRunner", "SUPPORTED_LINK_TYPES", "SocketPairRunner",
    "XDP_TEST_RUN_MAX", "analyzeFilter", "buildDag", "cbpfToEbpf", "compileFilter", "condText",
    "emitCbpf", "evalDag", "filterUsesLength", "filterableLinkType", "loadFilterProgram",
    "lowerFilter", "parseCbpf", "parseFilter", "replayCapture", "runCbpf", "tokenize", "valText",
  ],
  "./pcap": [
    "CaptureFormatError", "CaptureLinkType", "linkTypeDescription", "linkTypeName", "maxSnaplenFor",
    "readCapture", "sniffCaptureFormat", "writePcap", "writePcapng",
  ],
};

const TYPE_ONLY: Record<string, readonly string[]> = {
  ".": [
    "Analysis", "Arith", "ArrayMapOptions", "ArrayOfMapsOptions", "ArrayType", "AssembledProgram",
    "Attachment", "BatchVisitor", "BloomFilterMapOptions", "BtfFileOptions", "BtfKindName",
    "BtfType", "BuilderOptions", "ByteOrder", "Bytecode", "CStructOptions", "Capture",
    "CaptureInterface", "CapturedPacket", "CbpfHost", "CbpfInsn", "CodeRelocation", "Codec",
    "CodegenOptions", "CompiledFilter", "Cond", "CoreRelo", "CoreResult", "CounterRef", "Dag",
    "DagNode", "DatasecType", "DeclTagType", "DisasmOptions", "ElfRelocation", "ElfSection",
    "ElfSymbol", "EmitTarget", "Enum64Type", "Enum64Value", "EnumType", "EnumValue", "Expr",
    "ExtFuncInfo", "ExtLineInfo", "ExternDefinition", "FdSource", "FieldSpec", "FilterAst",
    "FilterContext", "FilterErrorKind", "FilterOptions", "FloatType", "FuncInfoRecord",
    "FuncProtoType", "FuncType", "FunctionInfo", "FunctionMark", "FunctionSignature", "FwdType",
    "HashMapOptions", "HashOfMapsOptions", "HelperName", "HelperRef", "IdValue", "Infer",
    "InlineOptions", "Instruction", "IntOptions", "IntType", "InterfaceStatistics", "JumpTarget",
    "KconfigType", "KconfigValues", "Label", "LayoutMember", "LineInfo", "LineInfoRecord",
    "LinkOptions", "LinkedLine", "LinkedProgram", "LoadOptions", "LowerOptions", "LpmKey",
    "LpmTrieMapOptions", "LruHashMapOptions", "LruPerCpuHashMapOptions", "MapBtf", "MapDefinition",
    "MapDescription", "MapInfo", "MapKeyValueBtf", "MapOptions", "MapOrigin", "MapRef",
    "MapReference", "MapSlot", "MapSpec", "Member", "MemberLocation", "MemberSpec",
    "ObjectLoadOptions", "ObjectMapOptions", "ObjectParseOptions", "ObjectProgramOptions",
    "ObjectShape", "ObjectSource", "OpenOptions", "Operand", "PacketRecord", "Param",
    "ParseOptions", "PcapWriteOptions", "PcapngInterfaceSpec", "PcapngSectionSpec",
    "PerCpuArrayMapOptions", "PerCpuHashMapOptions", "PerCpuMapType", "PerfBufferOptions",
    "PerfEventArrayOptions", "Pinning", "PoisonedInstruction", "PollOptions", "ProgramArrayOptions",
    "ProgramBtf", "ProgramDefinition", "ProgramFunction", "ProgramLine", "ProgramSpec", "PtrType",
    "PushOptions", "Qualifiers", "QueueMapOptions", "RecordCallback", "RecordsOptions", "RefType",
    "Register", "ReplayOptions", "ReplayResult", "ResolvedExtern", "RingBufOptions",
    "RingBufferOptions", "RingBufferStats", "RunnerKind", "ScalarArrayConstructor", "SectionDef",
    "SectionExtInfo", "SectionKind", "SocketMapOptions", "SourceLine", "Span", "StructCodec",
    "StructLayout", "StructType", "StructValue", "Target", "TcAttachOptions", "TcDirection",
    "TestRunInput", "TestRunResult", "Token", "TracepointField", "TracepointFormat", "TypeDesc",
    "TypeDescriptor", "TypeTagType", "UserRingBufferOptions", "Val", "ValidateOptions",
    "ValidationProblem", "VarSecinfo", "VarType", "VariableDefinition", "VoidType",
    "XdpAttachOptions", "XdpMode",
  ],
  "./kernel": [
    "AnyStruct", "ArrayType", "ArrayView", "Cell", "DataLoc", "DataType", "Decoded", "Dynptr",
    "Fields", "IntKind", "IntType", "KernelSource", "Log", "MapDeclOptions", "PacketAccess",
    "PerfEventContext", "ProgramDeclaration", "ProgramKind", "PtRegsContext", "Qdisc",
    "RawTracepointContext", "Ref", "SkMsgContext", "SkSkbContext", "SocketFilterContext",
    "StructType", "StructView", "TcContext", "TpBtfContext", "TpBtfEvents", "TracepointCommon",
    "TracepointContext", "Tracepoints", "View", "XdpContext", "__call_single_node", "address_space",
    "attribute_group", "audit_context", "autogroup", "bio_list", "blk_plug", "bpf_local_storage",
    "bpf_mprog_entry", "bpf_net_context", "bpf_prog", "bpf_run_ctx", "bpf_xdp_entity",
    "callback_head", "capture_control", "cgroup_namespace", "compat_robust_list_head", "completion",
    "core_state", "cpu_itimer", "cpu_rmap", "cpumask", "cred", "css_set", "ctl_table_header",
    "ctl_table_set", "dcbnl_rtnl_ops", "dentry", "dentry_operations", "dev_ifalias", "device",
    "devlink_port", "dim_irq_moder", "dst_entry", "ethtool_netdev_state", "ethtool_ops", "fdtable",
    "file", "file_operations", "file_ra_state", "files_struct", "fown_struct", "fred_cs", "fred_ss",
    "fs_pin", "fs_struct", "futex_pi_state", "futex_private_hash", "gendisk", "group_info",
    "header_ops", "hlist_bl_node", "hlist_head", "hlist_node", "hlist_nulls_node", "hrtimer",
    "hwtstamp_provider", "idr", "in6_addr", "in_device", "inet6_dev", "inet_bind2_bucket",
    "inet_bind_bucket", "inet_connection_sock", "inet_connection_sock_af_ops", "inet_cork_full",
    "inet_sock", "inet_timewait_death_row", "inode", "io_context", "io_uring_task", "iov_iter",
    "ip_mc_socklist", "ip_options_rcu", "ipc_namespace", "ipv6_fl_socklist", "ipv6_pinfo",
    "kernel_siginfo", "key", "kioctx_table", "kmap_ctrl", "kmem_cache", "kset", "l3mdev_ops",
    "ldt_struct", "linux_binfmt", "linux_binprm", "list_head", "llist_node", "lock_class_key",
    "lockref", "maple_tree", "mem_cgroup", "mempolicy", "minmax", "mm_cid", "mm_struct",
    "mmu_notifier_subscriptions", "mnt_namespace", "msghdr", "mutex", "nameidata", "napi_config",
    "ndisc_ops", "net", "net_device", "net_device_core_stats", "net_device_ops", "net_device_stats",
    "netdev_config", "netdev_hw_addr_list", "netdev_name_node", "netdev_queue",
    "netdev_queue_mgmt_ops", "netdev_rx_queue", "netdev_stat_ops", "netdev_tc_txq", "netprio_map",
    "nf_hook_entries", "ns_common", "nsproxy", "numa_drop_counters", "numa_group", "obj_cgroup",
    "pacct_struct", "page_frag", "path", "pcpu_dstats", "pcpu_lstats", "pcpu_sw_netstats",
    "percpu_counter", "perf_ctx_data", "perf_event_context", "phy_device", "phy_link_topology",
    "pid", "pid_namespace", "pipe_inode_info", "plist_node", "posix_cputimers",
    "posix_cputimers_work", "prev_cputime", "proto", "proto_ops", "pt_regs", "qrwlock", "qstr",
    "raw_spinlock", "rb_node", "rb_root", "rb_root_cached", "rcu_node", "rcu_special", "rcuwait",
    "reclaim_state", "ref_tracker_dir", "refcount_struct", "request_sock", "request_sock_queue",
    "restart_block", "rlimit", "robust_list_head", "rseq", "rt_mutex_waiter", "rtnl_hw_stats64",
    "rtnl_link_ops", "rw_semaphore", "saved_syn", "sched_class", "sched_dl_entity", "sched_entity",
    "sched_info", "sched_rt_entity", "sched_statistics", "seccomp", "seqcount", "seqcount_spinlock",
    "shortname_store", "sighand_struct", "signal_struct", "sigpending", "sk_buff", "sk_buff_head",
    "sk_filter", "skb_ext", "sock", "sock_cgroup_data", "sock_common", "sock_reuseport", "socket",
    "socket_wq", "spinlock", "super_block", "syscall_user_dispatch", "sysv_sem", "sysv_shm",
    "task_delay_info", "task_group", "task_io_accounting", "task_struct", "taskstats",
    "tcp_congestion_ops", "tcp_fastopen_request", "tcp_md5sig_info", "tcp_options_received",
    "tcp_rack", "tcp_sack_block", "tcp_sock", "tcp_sock_af_ops", "tcp_ulp_ops",
    "thread_group_cputimer", "thread_info", "thread_struct", "time_namespace", "timer_list",
    "tlbflush_unmap_batch", "tty_audit_buf", "tty_struct", "ubuf_info", "ucounts", "udp_tunnel_nic",
    "udp_tunnel_nic_info", "unwind_task_info", "uprobe_task", "uprobes_state", "user_namespace",
    "user_struct", "uts_namespace", "vdso_image", "vfsmount", "vm_area_struct", "vm_struct",
    "wait_queue_head", "wake_q_node", "work_struct", "xarray", "xdp_dev_bulk_queue",
    "xdp_metadata_ops", "xfrm_policy", "xps_dev_maps", "xsk_tx_metadata_ops",
  ],
  "./compiler": [
    "Artifact", "ArtifactMap", "ArtifactProgram", "CompileOptions", "CompiledModule", "Diagnostic",
    "KernelObjectOptions", "LogRecord", "UserMap", "UserProgram",
  ],
  "./tools": [
    "ClosedConnection", "CountOptions", "CountTotals", "CounterOptions", "Direction", "DumpOptions",
    "EtherTypeCount", "ExecEvent", "ExecOptions", "ExecTracerOptions", "Flow", "FlowRate",
    "FlowSnapshot", "FlowTrackerOptions", "FlowsOptions", "InterfaceRate", "IpProtocolCount",
    "TcpCounters", "TcpOptions", "TcpProcessRow", "TcpSnapshot", "TcpTrackerOptions", "TopOptions",
  ],
  "./vm": [
    "AccessKind", "ArtifactProgramOptions", "ArtifactSimProgram", "Backend", "CaseOutcome",
    "ConformanceReport", "DataFile", "DecodeOptions", "DecodedProgram", "HelperFn", "MapDef",
    "MapDump", "PacketState", "Redirect", "RunInput", "RunResult", "SimInput", "SimProgram",
    "SimResult", "SimulateOptions", "TaskInfo", "VmMapSpec", "VmOptions", "VmProgramSpec",
  ],
  "./asm": [
    "AssembledProgram", "DisasmOptions", "FunctionInfo", "HelperName", "HelperRef", "Instruction",
    "JumpTarget", "Label", "LineInfo", "MapRef", "Operand", "Register", "ValidateOptions",
    "ValidationProblem",
  ],
  "./btf": [
    "ArrayType", "BtfFileOptions", "BtfKindName", "BtfType", "BuilderOptions", "CStructOptions",
    "DatasecType", "DeclTagType", "Enum64Type", "Enum64Value", "EnumType", "EnumValue", "FieldSpec",
    "FloatType", "FuncInfoRecord", "FuncProtoType", "FuncType", "FunctionSignature", "FwdType",
    "IntOptions", "IntType", "LayoutMember", "LineInfoRecord", "MapKeyValueBtf", "Member",
    "MemberLocation", "MemberSpec", "Param", "ParseOptions", "ProgramBtf", "ProgramFunction",
    "ProgramLine", "PtrType", "RefType", "StructLayout", "StructType", "TypeDesc", "TypeTagType",
    "VarSecinfo", "VarType", "VoidType",
  ],
  "./object": [
    "CodeRelocation", "CoreRelo", "CoreResult", "ElfRelocation", "ElfSection", "ElfSymbol",
    "ExtFuncInfo", "ExtLineInfo", "ExternDefinition", "KconfigType", "KconfigValues", "LinkOptions",
    "LinkedLine", "LinkedProgram", "MapDefinition", "MapOrigin", "MapReference", "MapSlot",
    "ObjectParseOptions", "Pinning", "PoisonedInstruction", "ProgramDefinition", "ResolvedExtern",
    "SectionDef", "SectionExtInfo", "SectionKind", "VariableDefinition",
  ],
  "./filter": [
    "Analysis", "Arith", "CbpfHost", "CbpfInsn", "CodegenOptions", "CompiledFilter", "Cond", "Dag",
    "DagNode", "EmitTarget", "Expr", "FilterAst", "FilterContext", "FilterErrorKind",
    "FilterOptions", "IdValue", "InlineOptions", "LowerOptions", "Qualifiers", "ReplayOptions",
    "ReplayResult", "RunnerKind", "Span", "Target", "Token", "Val",
  ],
  "./pcap": [
    "ByteOrder", "Capture", "CaptureInterface", "CapturedPacket", "InterfaceStatistics",
    "PacketRecord", "PcapWriteOptions", "PcapngInterfaceSpec", "PcapngSectionSpec",
  ],
};
