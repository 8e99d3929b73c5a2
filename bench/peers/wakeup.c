// C peer of bench/events.ts: a libbpf ring buffer reader that sleeps in epoll_wait
// (ring_buffer__poll with no timeout) and drains what woke it. The ring buffer map is inherited
// as fd 3. Prints "ready", then, after TOTAL records, one JSON line:
// {"records":…,"wakeups":…,"cpu_us":…} where cpu_us is this process's CPU time (user + system,
// every thread) from the WARM-th record to the last.
//
// usage: wakeup TOTAL WARM
#include <bpf/libbpf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

static long received;

static double cpu_us(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

static int on_record(void *ctx, void *data, size_t size) {
  (void)ctx; (void)data; (void)size;
  received++;
  return 0;
}

int main(int argc, char **argv) {
  if (argc != 3) { fprintf(stderr, "usage: wakeup TOTAL WARM\n"); return 2; }
  long total = atol(argv[1]), warm = atol(argv[2]);
  struct ring_buffer *rb = ring_buffer__new(3, on_record, NULL, NULL);
  if (!rb) { perror("ring_buffer__new"); return 1; }
  printf("ready\n");
  fflush(stdout);
  // The first records only start the clock: their wake-ups include start-up effects.
  while (received < warm || received == 0) if (ring_buffer__poll(rb, -1) < 0) { perror("poll"); return 1; }
  double start = cpu_us();
  long first = received, wakeups = 0;
  while (received < total) {
    int n = ring_buffer__poll(rb, -1);
    if (n < 0) { perror("poll"); return 1; }
    if (n > 0) wakeups++;
  }
  printf("{\"records\":%ld,\"wakeups\":%ld,\"cpu_us\":%.1f}\n", received - first, wakeups, cpu_us() - start);
  ring_buffer__free(rb);
  return 0;
}
