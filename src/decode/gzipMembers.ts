import { createInflateRaw, crc32, type InflateRaw } from 'node:zlib';
import { HeaderReader } from './gzipHeader';

/**
 * Gzip data (RFC 1952) inflated member after member: each member's deflate data on zlib's raw inflater (the libuv
 * pool), its header, CRC-32 and length checked here.
 *
 * Not zlib's Gunzip: when bytes that are not another member follow a member (a stray newline, a cut-off copy, a
 * bad CRC), Gunzip fails in the same step that inflated the member's last bytes, and Node drops that step's output
 * with the error: up to a whole output chunk (1 MiB) of valid records lost, and only one malformed item to show
 * for it. Here every byte of a member is delivered before what follows it is judged. zlib's crc32() on the output
 * costs less CPU in all than Gunzip's checking as it inflates, but on this thread rather than the libuv pool
 * (docs/performance.md, "Gzip framed by hand").
 *
 * One input chunk is inflated at a time, so that the chunk a member ends in is known, and where in it.
 */
export interface GzipMembersOutput {
  /** A chunk of inflated bytes, in order. */
  data(chunk: Buffer): void;
  /** The input is over (after end()) or broken: null when every member was whole, else zlib's kind of message. */
  end(error: string | null): void;
}

/** The reported error when non-zero bytes follow the last member (zero bytes are padding). */
const TRAILING_DATA = 'data after the end of the gzip stream';
const TRUNCATED = 'unexpected end of file';

const HEADER = 0; // reading a member's header
const DEFLATE = 1; // inflating its deflate data
const DEFLATE_ENDING = 2; // its deflate data ended: waiting for the inflater's last output
const TRAILER = 3; // reading its CRC-32 and length
const BETWEEN = 4; // after a member: another one, padding, or the end
const PADDING = 5; // zero bytes after the last member
const DONE = 6; // reported (or destroyed)

interface Pending {
  chunk: Buffer;
  done: () => void;
}

export class GzipMembers {
  private state = HEADER;
  private readonly queue: Pending[] = [];
  private current: Pending | null = null;
  /** Where the current chunk is read from. */
  private offset = 0;
  /** The inflater's write is under way: nothing else happens until it returns (see settleWrite). */
  private writing = false;
  private writeBefore = 0;
  private writeLength = 0;
  private ending = false;
  private paused = false;
  /** The trailer read so far (it may span chunks). */
  private trailer: number[] = [];
  private header = new HeaderReader();
  private inflater: InflateRaw | null = null;
  private crc = 0;
  private size = 0;

  constructor(
    private readonly output: GzipMembersOutput,
    private readonly chunkSize: number,
  ) {}

  /** Queues `chunk`; `done` is called once nothing here holds it any more (its buffer may then be reused). */
  write(chunk: Buffer, done: () => void): void {
    if (this.state === DONE) return;
    this.queue.push({ chunk, done });
    this.work();
  }

  /** Chunks written and not done yet. */
  get pending(): number {
    return this.queue.length + (this.current === null ? 0 : 1);
  }

  /** No more input: once the queue is worked off, the outcome is reported. */
  end(): void {
    this.ending = true;
    this.work();
  }

  /** Stops the output (backpressure): the inflater holds its next chunk until resume(). */
  pause(): void {
    this.paused = true;
    this.inflater?.pause();
  }

  resume(): void {
    this.paused = false;
    this.inflater?.resume();
  }

  /** Stops everything; nothing more is reported. */
  destroy(): void {
    this.state = DONE;
    this.queue.length = 0;
    this.current = null;
    this.dropInflater();
  }

  private work(): void {
    while (this.state !== DONE && !this.writing && this.state !== DEFLATE_ENDING) {
      if (this.current === null) {
        const next = this.queue.shift();
        if (next === undefined) {
          if (this.ending) this.finish();
          return;
        }
        this.current = next;
        this.offset = 0;
      }
      const { chunk } = this.current;
      if (this.offset >= chunk.length) {
        const { done } = this.current;
        this.current = null;
        done();
        continue;
      }
      this.step(chunk);
    }
  }

  /** Reads on from `offset` in `chunk`, in the current state. */
  private step(chunk: Buffer): void {
    switch (this.state) {
      case HEADER:
        return this.readHeader(chunk);
      case DEFLATE:
        return this.inflate(chunk);
      case TRAILER:
        return this.readTrailer(chunk);
      case BETWEEN: {
        const byte = chunk[this.offset]!;
        if (byte === 0) this.state = PADDING;
        else if (byte === 0x1f) this.state = HEADER;
        else this.fail(TRAILING_DATA);
        return;
      }
      case PADDING: {
        let i = this.offset;
        while (i < chunk.length && chunk[i] === 0) i++;
        this.offset = i;
        if (i < chunk.length) this.fail(TRAILING_DATA);
        return;
      }
    }
  }

  private readHeader(chunk: Buffer): void {
    const end = this.header.read(chunk, this.offset);
    if (typeof end === 'string') return this.fail(end);
    if (end < 0) {
      this.offset = chunk.length;
      return;
    }
    this.offset = end;
    this.header = new HeaderReader();
    this.startMember();
  }

  private startMember(): void {
    this.state = DEFLATE;
    this.crc = 0;
    this.size = 0;
    const inflater = createInflateRaw({ chunkSize: this.chunkSize });
    this.inflater = inflater;
    inflater.on('data', (out: Buffer) => {
      this.crc = crc32(out, this.crc);
      this.size += out.length;
      this.output.data(out);
    });
    inflater.on('error', (err: Error) => {
      if (this.inflater === inflater) this.fail(err.message);
    });
    // The deflate data ended, and all of its output is out: the trailer follows (or, at the input's end, is missing).
    inflater.on('end', () => {
      if (this.inflater !== inflater) return;
      this.settleWrite(inflater);
      this.dropInflater();
      this.state = TRAILER;
      this.work();
    });
    if (this.paused) inflater.pause();
  }

  /**
   * Hands the rest of the chunk to the inflater. It consumes less than it was given only when the member's deflate
   * data ended inside: what follows is the trailer, read once the inflater's last output is out ('end').
   */
  private inflate(chunk: Buffer): void {
    const inflater = this.inflater!;
    const rest = this.offset === 0 ? chunk : chunk.subarray(this.offset);
    this.writing = true;
    this.writeBefore = inflater.bytesWritten;
    this.writeLength = rest.length;
    inflater.write(rest, () => {
      if (this.inflater !== inflater) return; // failed, destroyed or ended meanwhile
      this.settleWrite(inflater);
      this.work();
    });
  }

  /**
   * The write is over: how much of it the inflater took. Called by the write's callback, or by 'end' when that comes
   * first (a write's callback waits while the output is paused).
   */
  private settleWrite(inflater: InflateRaw): void {
    if (!this.writing) return;
    this.writing = false;
    const consumed = inflater.bytesWritten - this.writeBefore;
    this.offset += consumed;
    if (consumed < this.writeLength) this.state = DEFLATE_ENDING;
  }

  private readTrailer(chunk: Buffer): void {
    while (this.trailer.length < 8 && this.offset < chunk.length) this.trailer.push(chunk[this.offset++]!);
    if (this.trailer.length < 8) return;
    const t = this.trailer;
    this.trailer = [];
    const crc = (t[0]! | (t[1]! << 8) | (t[2]! << 16) | (t[3]! << 24)) >>> 0;
    const size = (t[4]! | (t[5]! << 8) | (t[6]! << 16) | (t[7]! << 24)) >>> 0;
    if (crc !== this.crc >>> 0) return this.fail('incorrect data check');
    if (size !== this.size % 2 ** 32) return this.fail('incorrect length check');
    this.state = BETWEEN;
  }

  /** The queue is worked off and the input is over. */
  private finish(): void {
    switch (this.state) {
      case BETWEEN:
      case PADDING:
        this.state = DONE;
        this.output.end(null);
        return;
      case DEFLATE:
        // Whether the deflate data was whole shows in how the inflater ends: zlib's error when it was cut off, else
        // 'end', and then the trailer is missing.
        this.state = DEFLATE_ENDING;
        this.inflater!.end();
        return;
      default:
        this.fail(TRUNCATED);
    }
  }

  private fail(message: string): void {
    if (this.state === DONE) return;
    this.destroy();
    this.output.end(message);
  }

  private dropInflater(): void {
    const inflater = this.inflater;
    if (inflater === null) return;
    this.inflater = null;
    this.writing = false;
    inflater.removeAllListeners('data');
    inflater.on('error', () => undefined);
    inflater.destroy();
  }
}
