/**
 * Reads a PNG the way a viewer would: signature, chunks with their CRCs, IHDR, and the inflated pixel rows.
 * Written separately from src/splunkApp/pngImage.ts (bit-by-bit CRC, its own chunk walk) so a shared
 * misunderstanding would have to be made twice. Only filter type 0 rows are decoded: enough for the icons.
 */
import { inflateSync } from 'node:zlib';

export interface PngChunk {
  readonly type: string;
  readonly data: Buffer;
  readonly crcValid: boolean;
}

export interface PngFile {
  readonly signatureValid: boolean;
  readonly chunks: readonly PngChunk[];
  readonly width: number;
  readonly height: number;
  readonly bitDepth: number;
  readonly colorType: number;
  readonly interlace: number;
  /** RGBA bytes of pixel (x, y). */
  readonly pixel: (x: number, y: number) => number[];
}

function crc32Bitwise(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit += 1) crc = (crc >>> 1) ^ (crc & 1 ? 0xedb88320 : 0);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

export function readPng(file: Buffer): PngFile {
  const signatureValid = file.subarray(0, 8).equals(Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'));
  const chunks: PngChunk[] = [];
  for (let at = 8; at + 12 <= file.length; ) {
    const length = file.readUInt32BE(at);
    const type = file.subarray(at + 4, at + 8).toString('latin1');
    const data = file.subarray(at + 8, at + 8 + length);
    const crcValid = file.readUInt32BE(at + 8 + length) === crc32Bitwise(file.subarray(at + 4, at + 8 + length));
    chunks.push({ type, data, crcValid });
    at += 12 + length;
  }
  const ihdr = chunks.find((c) => c.type === 'IHDR')!.data;
  const width = ihdr.readUInt32BE(0);
  const height = ihdr.readUInt32BE(4);
  const raw = inflateSync(Buffer.concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data)));
  const stride = 1 + width * 4;
  if (raw.length !== height * stride) throw new Error(`pixel data is ${raw.length} bytes, expected ${height * stride}`);
  for (let y = 0; y < height; y += 1) if (raw[y * stride] !== 0) throw new Error(`row ${y} uses filter ${raw[y * stride]}`);
  return {
    signatureValid,
    chunks,
    width,
    height,
    bitDepth: ihdr[8],
    colorType: ihdr[9],
    interlace: ihdr[12],
    pixel: (x, y) => [...raw.subarray(y * stride + 1 + x * 4, y * stride + 1 + x * 4 + 4)],
  };
}
