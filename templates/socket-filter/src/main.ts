// `npm start -- [MESSAGE…]`: sends each message (default: a few samples) through a pair of
// connected sockets whose receiving end is filtered, and prints what arrived and the counts.
// Needs root (or CAP_BPF).
import { socketPair } from "tsbpf";
import { MarkerFilter } from "./filter.js";

const messages = process.argv.length > 2 ? process.argv.slice(2) : ["hello", "# a comment", "world", "#another"];

using filter = new MarkerFilter("#");
const [sender, receiver] = socketPair("dgram");
using _sender = sender,
  _receiver = receiver;
using _attached = filter.attachTo(receiver);
for (const message of messages) sender.send(message);
for (const datagram of receiver.drain()) console.log(`received: ${datagram.toString()}`);
console.log(`kept ${filter.kept()}, dropped ${filter.dropped()}`);
