/* A TCP congestion control registered by updating its struct_ops map (no link). */
#define CC_SECTION ".struct_ops"
#define CC_VARIABLE tsbpf_cc
#define CC_NAME "tsbpf_cc"
#include "struct_ops_cc.h"
