/**
 * Capture files: a pure reader, a streaming reader (files, pipes, standard input) and writers for
 * pcap and pcapng, and link-type names.
 *
 * @module tsbpf/pcap
 */

export { CaptureFormatError } from "./errors.js";
export {
  readCapture,
  sniffCaptureFormat,
  CaptureDecoder,
  MAX_BLOCK_LENGTH,
  type PacketView,
  type Capture,
  type CapturedPacket,
  type CaptureInterface,
  type InterfaceStatistics,
  type ByteOrder,
} from "./reader.js";
export { CaptureStream, type CaptureStreamOptions } from "./stream.js";
export {
  writePcap,
  writePcapng,
  type PacketRecord,
  type PcapWriteOptions,
  type PcapngSectionSpec,
  type PcapngInterfaceSpec,
} from "./writer.js";
export { LinkType as CaptureLinkType, linkTypeName, linkTypeDescription, maxSnaplenFor } from "./linktype.js";
