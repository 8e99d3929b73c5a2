// The expressions the tcpdump oracle test compiles for every link type: every primitive of
// pcap-filter(7) that tsbpf supports, with qualifiers, names, arithmetic, tcpdump's quirks, and a few
// that tcpdump itself refuses (so both sides must refuse them).

export const ORACLE_EXPRESSIONS: readonly string[] = [
  // protocols
  "ip", "ip6", "arp", "rarp", "tcp", "udp", "icmp", "icmp6", "sctp", "igmp", "igrp", "pim", "vrrp", "carp",
  "ah", "esp", "atalk", "aarp", "decnet", "lat", "sca", "moprc", "mopdl", "iso", "esis", "isis", "clnp",
  "l1", "l2", "iih", "lsp", "snp", "csnp", "psnp", "stp", "ipx", "netbeui", "llc", "llc u", "llc s", "llc i", "llc ui",
  // hosts and networks
  "host 192.168.1.1", "src host 10.0.0.1", "dst host 224.0.0.5", "host 8.8.8.8 or 8.8.4.4",
  "ip host 192.168.1.2", "arp host 192.168.1.1", "rarp src host 10.0.0.1", "src or dst host 10.0.0.2", "src and dst host 127.0.0.1",
  "net 10.0.0.0/8", "net 192.168.0.0/16", "dst net 224.0.0.0/4", "src net 172.16.0.0 mask 255.240.0.0",
  "net 10", "net 192.168", "net 192.168.1", "net 0/0", "ip net 1.2.3.0/24 or 10.0.0.0/8",
  "host ::1", "ip6 host fe80::1", "src host 2001:db8::1", "ip6 net fe80::/10", "dst net ff02::/16",
  "ip6 net 2001:db8::/32 or fe80::/10", "host 1.2.3.4 or 5.6.7.8 or 10.0.0.1",
  // ports
  "port 80", "tcp port 80", "udp port 53", "sctp port 7", "src port 22", "dst port 443",
  "tcp dst port 25", "udp src or dst port 123", "port http", "port https or ssh", "tcp port ftp or ftp-data",
  "udp port domain", "port bootps or bootpc", "tcp src port 1024 and dst port 80",
  "portrange 1-1024", "tcp portrange 6000-6010", "udp portrange 33434-33534", "dst portrange 1024-65535",
  "portrange ftp-data-ftp", "udp portrange 500-500", "tcp port 80 or 443 or 8080",
  // link layer
  "ether host ff:ff:ff:ff:ff:ff", "ether src 00:00:0c:07:ac:01", "ether dst 01:00:5e:00:00:05",
  "ether host 00:50:56:c0:00:01 or 01:80:c2:00:00:00", "ether src 0000.0c07.ac01", "ether dst 01-00-5e-7f-ff-fa",
  "ether broadcast", "ether multicast", "broadcast", "multicast", "ip multicast", "ip6 multicast", "ip broadcast",
  "ether proto 0x0800", "ether proto 0x86dd", "ether proto \\arp", "ether proto \\ip6", "ether proto 0x88cc",
  "ether proto 0x8100", "ether proto 0x42", "ether proto \\iso",
  "ether[0] & 1 != 0", "ether[12:2] = 0x0806", "ether[6:4] = 0x00000c07", "link[0] = 0x45",
  // protocol numbers
  "proto 17", "proto \\tcp", "ip proto 1", "ip proto \\udp", "ip proto 89", "ip6 proto 58", "ip6 proto \\tcp",
  "ip6 proto 17 or ip6 proto 6", "proto 50 or proto 51",
  // VLAN, MPLS, PPPoE
  "vlan", "vlan 100", "vlan 10 or vlan 20", "vlan and ip", "vlan and tcp port 80", "vlan and vlan",
  "vlan 100 and vlan 200", "ip and vlan", "not vlan and ip", "vlan and ether proto 0x88cc",
  "mpls", "mpls 100", "mpls and ip", "mpls and mpls and ip", "pppoed", "pppoes", "pppoes 1 and ip", "pppoes and tcp",
  // lengths
  "less 64", "greater 1000", "len > 1500", "len <= 100", "len = 60", "len - 14 > 1000", "less 60 and ip",
  // byte accessors and arithmetic
  "ip[2:2] > 576", "ip[0] & 0xf != 5", "ip[6:2] & 0x1fff = 0", "ip[6:2] & 0x1fff != 0", "ip[8] < 64",
  "ip[9] = 6 and ip[2:2] - ((ip[0] & 0xf) << 2) > 40", "ip[16:4] >> 24 = 10", "ip[12:4] & 0xffff0000 = 0xc0a80000",
  "tcp[tcpflags] & (tcp-syn|tcp-ack) != 0", "tcp[tcpflags] & tcp-syn != 0", "tcp[tcpflags] = tcp-syn",
  "tcp[tcpflags] & (tcp-fin|tcp-rst) != 0", "tcp[13] & 0x12 = 0x12", "tcp[0:2] > 1023 and tcp[2:2] > 1023",
  "tcp[12] >> 4 > 5", "tcp[((tcp[12] & 0xf0) >> 2):4] = 0x47455420", "tcp[tcpflags] & tcp-push != 0 and tcp[tcpflags] & tcp-ack != 0",
  "udp[8:2] = 0", "udp[4:2] - 8 > 100", "udp[0:2] = 53 or udp[2:2] = 53",
  "icmp[icmptype] == icmp-echo", "icmp[icmptype] = icmp-echoreply", "icmp[icmptype] != icmp-echo and icmp[icmptype] != icmp-echoreply",
  "icmp[icmpcode] = 0", "icmp[0] = icmp-unreach", "icmp6[icmp6type] = icmp6-neighborsolicit",
  "icmp6[icmp6type] = icmp6-echo or icmp6[icmp6type] = icmp6-echoreply", "icmp6[0] = 135 or icmp6[0] = 136",
  "arp[6:2] = 1", "arp[7] = 2", "ip6[6] = 17", "ip6[40] = 58", "ip6[0] & 0xf0 = 0x60", "sctp[12] = 1",
  "igmp[0] = 0x11", "pim[0] & 0xf = 0", "vrrp[0] >> 4 = 2", "rarp[7] = 3",
  "ether[len - 1] = 0", "ip[ip[0] & 0xf] > 0", "ether[12:2] + ether[14] > 0x8845", "ip[2:2] / 4 > 100",
  "ip[2:2] % 2 = 1", "-ip[8] > 100", "ip[8] * 2 > 200", "ip[0] ^ 0x45 = 0", "ip[0] | 0x40 = 0x45",
  "ip[1] << 2 > 100", "len * 2 > 3000", "ip[2:2] + 14 != len",
  // tcpdump's quirks: folding, tautologies, truncated packets
  "ip[100] & 0 = 0", "0 / ip[100] = 0", "1 = 1", "len - len = 0", "tcp or not tcp",
  "ether[100] = 1 or ether[100] != 1", "ether[20] = 0 or not ether[20] = 0", "ip[2] * 0 = 0 and ip",
  // boolean structure and qualifier inheritance
  "not tcp", "! udp", "not (tcp or udp)", "tcp and not port 22", "tcp && port 80 || udp && port 53",
  "(tcp or udp) and not (port 53 or port 80)", "not not ip", "ip and not ip6 and not arp",
  "host 10.0.0.1 and not 10.0.0.2", "tcp port 80 and not 443", "port 22 or (80 or 443)",
  "src host 10.0.0.1 or (10.0.0.2 and 10.0.0.3)", "udp and (port 53 or 67 or 68)",
  "(ip or ip6) and (tcp[13] & 2 != 0 or udp)", "icmp or icmp6 or arp", "not ip and not ip6",
  // names from /etc/hosts, /etc/networks and /etc/services; direction and interface (Linux cooked)
  "host localhost", "host vm or runsc", "src host localhost and tcp", "net link-local", "port nfs",
  "portrange http-https", "udp port https", "tcp port domain", "sctp port http",
  "inbound", "outbound", "ifindex 1", "ifindex 2 and ip", "inbound and udp",
  // the old byte shorthand, LLC
  "byte 12 = 8", "byte 23 > 5", "byte 14 < 0x46", "llc xid", "not llc",
  // expressions tcpdump refuses
  "ip and not ip", "tcp port 99999", "ip proto tcp", "port 1.2.3.4", "ether host 1.2.3.4", "ip[0:3] = 1",
  "ip[1] / 0 = 1", "ip[1] << 40 = 1", "net 10.0.0.1/8", "vlan 5000", "tcp proto 6", "host ::1/64",
  "unknownword", "tcp[", "(tcp", "tcp and", "08 = 8", "gateway foo",
];
