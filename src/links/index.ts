// Links: what attaching a program returns, to detach it (close) or keep it (pin).
export * from "./link.js";
