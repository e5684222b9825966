import { useStringBitmap } from './jsonBytes';
import { STRING_BITMAP_WASM } from './stringBitmapWasm';

/**
 * The string bitmap of the buffer the fast path reads: one bit per byte, set where a string's content stops being
 * plain ('"', '\' or a control character), made in WebAssembly with SIMD (stringBitmap.wat) so that skipString
 * jumps from one such byte to the next instead of testing every byte in JavaScript. Without WebAssembly SIMD (the
 * module does not validate, or `--jitless`), nothing is marked and skipString reads byte by byte, as it always can.
 */

/** The WebAssembly API this uses (the compiler's libraries here do not declare it). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
}
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
type Mark = (src: number, dst: number, n: number) => void;

/** The bytes are copied into the module's memory this many at a time (they stay in cache for the marking). */
const WINDOW_BYTES = 1 << 16;
/** Where the bits start in the module's memory: after the window. */
const BITS_AT = WINDOW_BYTES;
/** `mark` reads whole 64-byte blocks. */
const BLOCK_BYTES = 64;

/** Marks buffers for the fast path's skipString (jsonBytes.useStringBitmap), one at a time. */
export class StringBitmap {
  private readonly markBlocks: Mark | null = null;
  private readonly window: Uint8Array = new Uint8Array(0);
  private readonly bits: Int32Array = new Int32Array(0);
  /** The longest buffer the memory has bits for (and the word after): 4.5 MiB, above gunzip's 1 MiB chunks. */
  private readonly maxBytes: number = 0;
  private marked: Uint8Array | null = null;

  /** `wasm`: the module's bytes; when they do not validate here, nothing is marked. */
  constructor(wasm: Uint8Array) {
    const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
    if (api === undefined || !api.validate(wasm)) return;
    const { exports } = new api.Instance(new api.Module(wasm));
    // The memory never grows: growing detaches its buffer, and after the first detached buffer V8 checks every
    // typed array access in the thread for one (that made the walk 20% slower; see docs/performance.md).
    const { buffer } = exports.memory as WasmMemory;
    this.markBlocks = exports.mark as Mark;
    this.window = new Uint8Array(buffer, 0, WINDOW_BYTES);
    this.bits = new Int32Array(buffer, BITS_AT);
    this.maxBytes = ((this.bits.length - 1) * 32) & -BLOCK_BYTES;
  }

  /** Whether buffers get marked (WebAssembly with SIMD is there). */
  get available(): boolean {
    return this.markBlocks !== null;
  }

  /**
   * Makes `buf` the buffer whose bitmap skipString reads, marking it unless it is already the one marked. Its
   * bytes must not change while the fast path reads it. Returns false when it is not marked (no SIMD, or too long):
   * skipString then reads it byte by byte.
   */
  mark(buf: Uint8Array): boolean {
    if (buf === this.marked) {
      useStringBitmap(buf, this.bits); // another StringBitmap may have been used since
      return true;
    }
    const markBlocks = this.markBlocks;
    if (markBlocks === null || buf.length > this.maxBytes) {
      useStringBitmap(null, this.bits);
      this.marked = null;
      return false;
    }
    const window = this.window;
    for (let at = 0; at < buf.length; at += WINDOW_BYTES) {
      const length = Math.min(WINDOW_BYTES, buf.length - at);
      window.set(length === buf.length ? buf : buf.subarray(at, at + length), 0);
      // Bytes past the end read as 0 (marked), so a search never runs past them either.
      const blocks = (length + BLOCK_BYTES - 1) & -BLOCK_BYTES;
      if (blocks !== length) window.fill(0, length, blocks);
      markBlocks(0, BITS_AT + (at >>> 3), blocks);
    }
    // The word after the last block, all set: a search that starts past the last byte stops there, not further on.
    this.bits[((buf.length + BLOCK_BYTES - 1) & -BLOCK_BYTES) >>> 5] = -1;
    this.marked = buf;
    useStringBitmap(buf, this.bits);
    return true;
  }

  /** Lets go of the buffer marked last, so that it is not kept alive; the next read marks its buffer again. */
  forget(): void {
    if (this.marked === null) return;
    this.marked = null;
    useStringBitmap(null, this.bits);
  }
}

/** The thread's string bitmap (one: the fast path reads one buffer at a time). */
export const stringBitmap = new StringBitmap(Buffer.from(STRING_BITMAP_WASM, 'base64'));
