// The standard library kernel TypeScript is checked against. Kernel code has no strings, objects
// with prototypes, promises or collections, so TypeScript's lib.es5.d.ts (220 KB, half of what a
// compile parses) is replaced by the handful of global types the checker itself needs, the utility
// types the kernel declarations use, and the shapes tsbpf's codecs name. What kernel code cannot
// use is left to the subset's own messages (Object's members, Math and Promise are declared for them).

/** The file name the library is served under (never read from disk). */
export const KERNEL_LIB_FILE = "/__tsbpf__/lib.kernel.d.ts";

export const KERNEL_LIB = `
interface Array<T> { length: number; [n: number]: T; }
interface ReadonlyArray<T> { readonly length: number; readonly [n: number]: T; }
interface TemplateStringsArray extends ReadonlyArray<string> { readonly raw: readonly string[]; }
interface IArguments { length: number; [index: number]: any; }
interface Boolean { valueOf(): boolean; }
interface Number { toString(radix?: number): string; valueOf(): number; }
interface BigInt { toString(radix?: number): string; valueOf(): bigint; }
interface String { readonly length: number; toString(): string; valueOf(): string; }
interface Symbol {}
interface Object {
  constructor: Function; toString(): string; toLocaleString(): string; valueOf(): Object;
  hasOwnProperty(v: PropertyKey): boolean; isPrototypeOf(v: Object): boolean;
  propertyIsEnumerable(v: PropertyKey): boolean;
}
interface PromiseLike<T> { then(onfulfilled?: (value: T) => unknown): PromiseLike<unknown>; }
interface Promise<T> { then(onfulfilled?: (value: T) => unknown): Promise<unknown>; }
interface Math {
  abs(x: number): number; max(...values: number[]): number; min(...values: number[]): number;
  floor(x: number): number; ceil(x: number): number; round(x: number): number; trunc(x: number): number;
}
declare var Math: Math;
interface Function {}
interface CallableFunction extends Function {}
interface NewableFunction extends Function {}
interface RegExp {}
interface ThisType<T> {}
type PropertyKey = string | number | symbol;
type Partial<T> = { [P in keyof T]?: T[P] };
type Required<T> = { [P in keyof T]-?: T[P] };
type Readonly<T> = { readonly [P in keyof T]: T[P] };
type Pick<T, K extends keyof T> = { [P in K]: T[P] };
type Record<K extends keyof any, T> = { [P in K]: T };
type Exclude<T, U> = T extends U ? never : T;
type Extract<T, U> = T extends U ? T : never;
type Omit<T, K extends keyof any> = Pick<T, Exclude<keyof T, K>>;
type NonNullable<T> = T & {};
type Parameters<T extends (...args: any) => any> = T extends (...args: infer P) => any ? P : never;
type ReturnType<T extends (...args: any) => any> = T extends (...args: any) => infer R ? R : any;
type InstanceType<T extends abstract new (...args: any) => any> = T extends abstract new (...args: any) => infer R ? R : any;
interface DataView {}
interface ArrayLike<T> { readonly length: number; readonly [n: number]: T; }
interface TypedArray<T> { readonly length: number; [n: number]: T; }
interface Uint8Array extends TypedArray<number> {}
interface Int8Array extends TypedArray<number> {}
interface Uint16Array extends TypedArray<number> {}
interface Int16Array extends TypedArray<number> {}
interface Uint32Array extends TypedArray<number> {}
interface Int32Array extends TypedArray<number> {}
interface Float32Array extends TypedArray<number> {}
interface Float64Array extends TypedArray<number> {}
interface BigUint64Array extends TypedArray<bigint> {}
interface BigInt64Array extends TypedArray<bigint> {}
interface Uint8ArrayConstructor {}
interface Int8ArrayConstructor {}
interface Uint16ArrayConstructor {}
interface Int16ArrayConstructor {}
interface Uint32ArrayConstructor {}
interface Int32ArrayConstructor {}
interface Float32ArrayConstructor {}
interface Float64ArrayConstructor {}
interface BigUint64ArrayConstructor {}
interface BigInt64ArrayConstructor {}
interface Map<K, V> {}
`;
