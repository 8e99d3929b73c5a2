/* A TCP congestion control registered through a struct_ops link (BPF_F_LINK). */
#define CC_SECTION ".struct_ops.link"
#define CC_VARIABLE tsbpf_cc_link
#define CC_NAME "tsbpf_cc_link"
#include "struct_ops_cc.h"
