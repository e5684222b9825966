'use strict';
// The archive's first `bytes` decompressed, cut at a line end: what the in-process measures (decodeCpu.js,
// walkCpu.js) feed their decoders, decompressed beforehand so that gunzip is not measured.
const fs = require('node:fs');
const zlib = require('node:zlib');

function decompressedHead(file, bytes) {
  const all = zlib.gunzipSync(fs.readFileSync(file), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  const end = all.lastIndexOf(0x0a, Math.min(bytes, all.length) - 1) + 1;
  return Buffer.from(all.subarray(0, end));
}

module.exports = { decompressedHead };
