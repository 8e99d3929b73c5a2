// IEEE 802.1Q tags: the TPIDs tcpdump treats as VLAN tags and the text of a tag control field.

export const ETHERTYPE_8021Q = 0x8100;
export const ETHERTYPE_8021Q9100 = 0x9100;
export const ETHERTYPE_8021Q9200 = 0x9200;
export const ETHERTYPE_8021QINQ = 0x88a8;

export function isVlanTpid(type: number): boolean {
  return (
    type === ETHERTYPE_8021Q ||
    type === ETHERTYPE_8021Q9100 ||
    type === ETHERTYPE_8021Q9200 ||
    type === ETHERTYPE_8021QINQ
  );
}

/** "vlan 100, p 3" (", DEI" when the drop-eligible bit is set). */
export function vlanTciString(tci: number): string {
  return "vlan " + (tci & 0xfff) + ", p " + (tci >>> 13) + ((tci & 0x1000) !== 0 ? ", DEI" : "");
}
