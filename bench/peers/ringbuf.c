// C peer of bench/ringbuf.ts: the same XDP producer (bytecode written by the TS side, map fds
// patched in), run by BPF_PROG_TEST_RUN on a second thread, consumed with libbpf's ring_buffer
// API. Prints one JSON line: {"records":…,"drops":…,"seconds":…}.
//
// usage: ringbuf INSNS_FILE TOTAL_RECORDS CHUNK RING_SIZE [drain]
// With "drain", the producer runs first and only ring_buffer__consume() is timed (the consumer's
// cost alone); that is done three times and the last, warm, round is reported.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

// Placeholder map fds in the bytecode (see bench/ringbuf.ts).
#define FD_RING 0x7ff00001
#define FD_SEQ 0x7ff00002
#define FD_DROPS 0x7ff00003

static int prog_fd;
static long total, chunk;
static atomic_int producer_done;
static uint64_t received, checksum;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int on_record(void *ctx, void *data, size_t size) {
  (void)ctx; (void)size;
  received++;
  checksum += *(uint32_t *)data; // touch the record, as the JS callback does
  return 0;
}

static void *produce(void *arg) {
  (void)arg;
  unsigned char packet[64];
  for (int i = 0; i < 64; i++) packet[i] = (unsigned char)((i * 7 + 3) & 0xff);
  for (long done = 0; done < total; done += chunk) {
    LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = packet, .data_size_in = sizeof(packet), .repeat = (int)chunk);
    if (bpf_prog_test_run_opts(prog_fd, &opts) != 0) { perror("test_run"); exit(1); }
  }
  atomic_store(&producer_done, 1);
  return NULL;
}

static uint64_t read_drops(int fd) {
  int cpus = libbpf_num_possible_cpus();
  uint64_t *values = calloc(cpus, sizeof(uint64_t)), sum = 0;
  uint32_t key = 0;
  if (bpf_map_lookup_elem(fd, &key, values) == 0) for (int i = 0; i < cpus; i++) sum += values[i];
  free(values);
  return sum;
}

int main(int argc, char **argv) {
  if (argc != 5 && argc != 6) { fprintf(stderr, "usage: %s INSNS TOTAL CHUNK RING_SIZE [drain]\n", argv[0]); return 2; }
  int drain_only = argc == 6 && strcmp(argv[5], "drain") == 0;
  total = atol(argv[2]);
  chunk = atol(argv[3]);
  int ring_size = atoi(argv[4]);

  FILE *f = fopen(argv[1], "rb");
  if (!f) { perror("insns"); return 1; }
  static struct bpf_insn insns[4096];
  size_t count = fread(insns, sizeof(struct bpf_insn), 4096, f);
  fclose(f);

  int ring_fd = bpf_map_create(BPF_MAP_TYPE_RINGBUF, "c_ring", 0, 0, ring_size, NULL);
  int seq_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "c_seq", 4, 8, 1, NULL);
  int drops_fd = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "c_drops", 4, 8, 1, NULL);
  if (ring_fd < 0 || seq_fd < 0 || drops_fd < 0) { perror("bpf_map_create"); return 1; }
  for (size_t i = 0; i < count; i++) {
    if (insns[i].code == (BPF_LD | BPF_DW | BPF_IMM) && insns[i].src_reg == BPF_PSEUDO_MAP_FD) {
      if (insns[i].imm == FD_RING) insns[i].imm = ring_fd;
      else if (insns[i].imm == FD_SEQ) insns[i].imm = seq_fd;
      else if (insns[i].imm == FD_DROPS) insns[i].imm = drops_fd;
    }
  }
  prog_fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "c_producer", "GPL", insns, count, NULL);
  if (prog_fd < 0) { perror("bpf_prog_load"); return 1; }

  struct ring_buffer *rb = ring_buffer__new(ring_fd, on_record, NULL, NULL);
  if (!rb) { perror("ring_buffer__new"); return 1; }

  if (drain_only) {
    double seconds = 0;
    for (int round = 0; round < 3; round++) {
      produce(NULL);
      received = 0;
      double start = now();
      ring_buffer__consume(rb);
      seconds = now() - start;
    }
    printf("{\"records\":%llu,\"drops\":%llu,\"seconds\":%.6f,\"checksum\":%llu}\n",
           (unsigned long long)received, (unsigned long long)read_drops(drops_fd), seconds, (unsigned long long)checksum);
    ring_buffer__free(rb);
    return 0;
  }

  pthread_t producer;
  double start = now();
  pthread_create(&producer, NULL, produce, NULL);
  while (!atomic_load(&producer_done)) {
    if (ring_buffer__poll(rb, 100) < 0 && errno != EINTR) { perror("ring_buffer__poll"); return 1; }
  }
  pthread_join(producer, NULL);
  ring_buffer__consume(rb);
  double seconds = now() - start;
  uint64_t drops = read_drops(drops_fd);
  printf("{\"records\":%llu,\"drops\":%llu,\"seconds\":%.6f,\"checksum\":%llu}\n",
         (unsigned long long)received, (unsigned long long)drops, seconds, (unsigned long long)checksum);
  ring_buffer__free(rb);
  return 0;
}
