// C peer of bench/btf.ts: parse /sys/kernel/btf/vmlinux with libbpf and find the offset of
// sock.__sk_common.skc_dport, once, in a fresh process. Prints one JSON line with the times and
// the private memory (RssAnon) the process gained.
//
// usage: btf_parse [PATH]
#include <bpf/btf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/** A field of /proc/self/status in kB, e.g. "RssAnon:". */
static long status_kb(const char *field) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long kb = -1;
  size_t n = strlen(field);
  while (f && fgets(line, sizeof line, f)) {
    if (strncmp(line, field, n) == 0) { kb = atol(line + n); break; }
  }
  if (f) fclose(f);
  return kb;
}

/** Bit offset of member `name` in composite `id`, looking into anonymous members; -1 if absent. */
static long find_member(const struct btf *btf, __u32 id, const char *name, __u32 *member_type) {
  const struct btf_type *t = btf__type_by_id(btf, btf__resolve_type(btf, id));
  if (!t || !btf_is_composite(t)) return -1;
  const struct btf_member *m = btf_members(t);
  for (int i = 0; i < btf_vlen(t); i++) {
    const char *mname = btf__name_by_offset(btf, m[i].name_off);
    if (mname && strcmp(mname, name) == 0) { *member_type = m[i].type; return btf_member_bit_offset(t, i); }
  }
  for (int i = 0; i < btf_vlen(t); i++) {
    if (m[i].name_off != 0) continue;
    long inner = find_member(btf, m[i].type, name, member_type);
    if (inner >= 0) return btf_member_bit_offset(t, i) + inner;
  }
  return -1;
}

int main(int argc, char **argv) {
  const char *path = argc > 1 ? argv[1] : "/sys/kernel/btf/vmlinux";
  long anon0 = status_kb("RssAnon:");
  double t0 = now_ms();
  struct btf *btf = btf__parse(path, NULL);
  if (!btf) { perror("btf__parse"); return 1; }
  double t1 = now_ms();
  __s32 sock = btf__find_by_name_kind(btf, "sock", BTF_KIND_STRUCT);
  if (sock < 0) { fprintf(stderr, "no struct sock\n"); return 1; }
  __u32 common_type = 0, port_type = 0;
  long common = find_member(btf, sock, "__sk_common", &common_type);
  long port = common < 0 ? -1 : find_member(btf, common_type, "skc_dport", &port_type);
  if (port < 0) { fprintf(stderr, "no __sk_common.skc_dport\n"); return 1; }
  double t2 = now_ms();
  long anon1 = status_kb("RssAnon:");
  printf("{\"parseMs\":%.3f,\"lookupMs\":%.3f,\"totalMs\":%.3f,\"offset\":%ld,\"types\":%u,\"rssAnonMiB\":%.2f}\n",
    t1 - t0, t2 - t1, t2 - t0, (common + port) / 8, btf__type_cnt(btf), (anon1 - anon0) / 1024.0);
  btf__free(btf);
  return 0;
}
