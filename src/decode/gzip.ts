import type { Readable } from 'node:stream';
import { createGunzip, type Gunzip } from 'node:zlib';

/** zlib output buffer size: 1 MiB measured ~3.8x faster than the 16 KiB default on realistic archives. */
const GUNZIP_CHUNK_SIZE = 1 << 20;

/** How one input ended. */
export interface DecompressOutcome {
  /** zlib's message when the gzip data was corrupt or cut off (the bytes decompressed before it were delivered),
   *  null when the whole input was read. */
  gzipError: string | null;
}

/** Every gzip member starts with these two bytes (RFC 1952); file names and content types are not trusted. */
export function hasGzipMagic(head: Buffer): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/**
 * Delivers the bytes of `input` to `onBytes`, gunzipped when they start with the gzip magic (several concatenated
 * members are read as one stream), as they are. Rejects when `input` fails or closes early, or when `onBytes` throws;
 * bad gzip data is reported in the outcome instead, and `input` is then destroyed since nothing more can be read.
 */
export function pumpDecompressed(input: Readable, onBytes: (chunk: Buffer) => void): Promise<DecompressOutcome> {
  return new Promise<DecompressOutcome>((resolve, reject) => {
    let settled = false;
    let inputEnded = false;
    let mode: 'undecided' | 'plain' | 'gzip' = 'undecided';
    let head: Buffer | null = null; // first bytes until there are two to compare with the magic
    let gunzip: Gunzip | null = null;
    let pendingWrites = 0;

    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      input.removeListener('data', onInputData);
      input.removeListener('end', onInputEnd);
      input.removeListener('error', fail);
      input.removeListener('close', onInputClose);
      input.on('error', ignore); // a late error from an abandoned stream must not go unhandled
      if (!inputEnded) input.destroy();
      if (gunzip !== null) {
        gunzip.removeListener('data', deliver);
        gunzip.removeListener('end', onGunzipEnd);
        gunzip.removeListener('error', onGunzipError);
        gunzip.removeListener('drain', resumeInput);
        gunzip.on('error', ignore);
        gunzip.destroy();
      }
      return true;
    };
    function fail(err: unknown): void {
      if (settle()) reject(err);
    }
    const finish = (gzipError: string | null): void => {
      if (settle()) resolve({ gzipError });
    };
    function deliver(chunk: Buffer): void {
      if (settled) return;
      try {
        onBytes(chunk);
      } catch (err) {
        fail(err);
      }
    }

    function onGunzipEnd(): void {
      finish(null);
    }
    function onGunzipError(err: Error): void {
      finish(err.message);
    }
    function resumeInput(): void {
      input.resume();
    }
    const writeCompressed = (zlib: Gunzip, chunk: Buffer): void => {
      pendingWrites++;
      if (!zlib.write(chunk, onWritten)) {
        input.pause();
        zlib.once('drain', resumeInput);
      }
    };
    // zlib applies its finish flush to a chunk still queued when end() is called, and on truncated data that
    // chunk's output is lost with the error; ending only after every write has been processed keeps it.
    const onWritten = (): void => {
      pendingWrites--;
      endGunzipWhenIdle();
    };
    const endGunzipWhenIdle = (): void => {
      if (inputEnded && pendingWrites === 0 && gunzip !== null && !settled) gunzip.end();
    };

    const decide = (first: Buffer): void => {
      head = null;
      if (!hasGzipMagic(first)) {
        mode = 'plain';
        deliver(first);
        return;
      }
      mode = 'gzip';
      const zlib = createGunzip({ chunkSize: GUNZIP_CHUNK_SIZE });
      gunzip = zlib;
      zlib.on('data', deliver);
      zlib.on('end', onGunzipEnd);
      zlib.on('error', onGunzipError);
      writeCompressed(zlib, first);
    };
    function onInputData(data: Buffer | string): void {
      const chunk = typeof data === 'string' ? Buffer.from(data) : data;
      if (mode === 'plain') return deliver(chunk);
      if (mode === 'gzip') return writeCompressed(gunzip as Gunzip, chunk);
      head = head === null ? chunk : Buffer.concat([head, chunk]);
      if (head.length >= 2) decide(head);
    }
    function onInputEnd(): void {
      inputEnded = true;
      if (head !== null && head.length > 0) deliver(head); // a single byte cannot be a gzip header
      if (mode === 'gzip') endGunzipWhenIdle();
      else finish(null);
    }
    function onInputClose(): void {
      if (!inputEnded) fail(new Error('input stream closed before its end'));
    }

    input.on('data', onInputData);
    input.on('end', onInputEnd);
    input.on('error', fail);
    input.on('close', onInputClose);
  });
}

function ignore(): void {}
