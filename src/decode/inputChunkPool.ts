/** The smallest buffer a chunk of input is sent in; buffers are powers of two from here. */
const MIN_CHUNK_BYTES = 1024;

/**
 * The buffers the main thread sends an object's raw bytes to a decode worker in, handed back by the worker once
 * gunzip has read them (see DecodeConsumer.inputDone) and filled again. They are shared (SharedArrayBuffer), not
 * transferred: transferring detaches a buffer, and once a thread has detached one, V8 checks every typed array
 * access in that thread for a detached buffer, which made the decode worker's JSON walk 10-20% slower. A buffer made per chunk instead lives, in a
 * worker that allocates little else, through enough young collections to reach the old generation, where V8 frees
 * it only at a full collection: one that, for buffers, it starts only after tens of MB of them. Reusing the buffers
 * keeps that garbage from growing with the object's size.
 *
 * Each chunk goes in a buffer of the next power of two (a file stream's 64 KiB chunks fill theirs; a network
 * stream's vary), so the worker sees the chunks the input gave, and a buffer handed back fits the next chunk of
 * about its size.
 */
export class InputChunkPool {
  private readonly spare = new Map<number, SharedArrayBuffer[]>();
  private keptBytes = 0;
  private made = 0;

  /** `limitBytes`: the most bytes of buffers kept for reuse (those handed back beyond it are left to the collector). */
  constructor(private readonly limitBytes: number) {}

  /** Buffers made so far (not taken from the pool). */
  get allocated(): number {
    return this.made;
  }

  /** A copy of `bytes` in a buffer of the pool's (the input's may be a view into a larger one). */
  copyOf(bytes: Uint8Array): Uint8Array<SharedArrayBuffer> {
    const size = sizeFor(bytes.length);
    let buffer = this.spare.get(size)?.pop();
    if (buffer === undefined) {
      buffer = new SharedArrayBuffer(size);
      this.made++;
    } else {
      this.keptBytes -= size;
    }
    const chunk = new Uint8Array(buffer, 0, bytes.length);
    chunk.set(bytes);
    return chunk;
  }

  /** A buffer the worker handed back: it holds on to it no more. */
  give(buffer: SharedArrayBuffer): void {
    const size = buffer.byteLength;
    if (size !== sizeFor(size) || this.keptBytes + size > this.limitBytes) return;
    let list = this.spare.get(size);
    if (list === undefined) this.spare.set(size, (list = []));
    list.push(buffer);
    this.keptBytes += size;
  }
}

function sizeFor(length: number): number {
  let size = MIN_CHUNK_BYTES;
  while (size < length) size *= 2;
  return size;
}
