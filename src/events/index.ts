// Events from programs to user space (ring buffers, perf buffers) and back (user ring buffers).
export { Poller, Watch, EpollEvents } from "./epoll.js";
export { RingRecord, type RecordCallback } from "./record.js";
export {
  EventReader,
  nextDrain,
  type GatherOptions,
  type PollOptions,
  type RecordsOptions,
  type Waitable,
} from "./reader.js";
export { RingBuffer, type RingBufferOptions, type RingBufferStats, type MapRef } from "./ringbuf.js";
export { PerfBuffer, type PerfBufferOptions } from "./perf-buffer.js";
export { UserRingBuffer, type UserRingBufferOptions } from "./user-ringbuf.js";
export { CounterReader, type CounterRef } from "./counter.js";
