/**
 * Capture files: a pure reader and writers for pcap and pcapng, and link-type names.
 *
 * @module tsbpf/pcap
 */

export { CaptureFormatError } from "./errors.js";
export {
  readCapture,
  sniffCaptureFormat,
  type Capture,
  type CapturedPacket,
  type CaptureInterface,
  type InterfaceStatistics,
  type ByteOrder,
} from "./reader.js";
export {
  writePcap,
  writePcapng,
  type PacketRecord,
  type PcapWriteOptions,
  type PcapngSectionSpec,
  type PcapngInterfaceSpec,
} from "./writer.js";
export { LinkType as CaptureLinkType, linkTypeName, linkTypeDescription, maxSnaplenFor } from "./linktype.js";
