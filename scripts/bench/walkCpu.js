'use strict';
// The JSON walk alone, in JavaScript against WebAssembly: what moving the decode's walk into WebAssembly would gain.
//
//   npm run build && node scripts/bench/walkCpu.js ARCHIVE [MB] [ROUNDS]
//
// The archive's first MB megabytes (default 150) are decompressed beforehand and cut into chunks of about 1 MiB at
// line ends, as gunzip hands them to the decoder. Each round walks every line that starts with '{' twice, in turn:
// - js: the fast path's walk (dist/decode/jsonBytes.js skipObject) after marking the chunk's string bitmap
//   (dist/decode/stringBitmap.js), as FastRecordReader does;
// - wasm: the same walk in WebAssembly (wasmWalk/walk.ts, assembled from its compiled walk.wat with wabt), the chunk
//   copied into the module's memory first, as a WebAssembly decoder would have to.
// Neither notes fields or builds records: it measures validation, the part of the decode both would share. The
// first round checks that both walks return the same index for every line. Printed: ms of CPU a MB
// (process.cpuUsage) for each, every round, and the median ratio wasm/js over the hot rounds.
const path = require('node:path');
const { decompressedHead } = require('./decompressedHead');

const [archive, mbArg, roundsArg] = process.argv.slice(2);
if (!archive) {
  console.error('usage: node scripts/bench/walkCpu.js ARCHIVE [MB] [ROUNDS]');
  process.exit(2);
}
const megabytes = Number(mbArg ?? 150);
const rounds = Number(roundsArg ?? 7);
const CHUNK = 1 << 20;

const dist = path.resolve(__dirname, '..', '..', 'dist', 'decode');
const { skipObject } = require(path.join(dist, 'jsonBytes.js'));
const { StringBitmap } = require(path.join(dist, 'stringBitmap.js'));
const { STRING_BITMAP_WASM } = require(path.join(dist, 'stringBitmapWasm.js'));
const { assemble } = require('../build-string-bitmap.js');

function chunksOf(data) {
  const chunks = [];
  for (let start = 0; start < data.length; ) {
    const cut = data.lastIndexOf(0x0a, Math.min(start + CHUNK, data.length) - 1);
    const end = cut >= start ? cut + 1 : data.length;
    // Each chunk in a buffer of its own, as gunzip's are (the bitmap is made per buffer).
    chunks.push(Buffer.from(data.subarray(start, end)));
    start = end;
  }
  return chunks;
}

const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main() {
  const data = decompressedHead(archive, megabytes * CHUNK);
  const chunks = chunksOf(data);
  const lines = chunks.reduce((n, chunk) => n + chunk.reduce((k, c) => k + (c === 0x0a ? 1 : 0), 0), 0);
  const mb = data.length / 1e6;

  const bitmap = new StringBitmap(Buffer.from(STRING_BITMAP_WASM, 'base64'));
  if (!bitmap.available) throw new Error('no WebAssembly SIMD here: the js walk would not be the fast path');
  const wasm = await assemble(path.join(__dirname, 'wasmWalk', 'walk.wat'));
  const { exports } = new WebAssembly.Instance(new WebAssembly.Module(wasm), {});
  const memory = new Uint8Array(exports.memory.buffer);
  // The module's memory (64 pages, 4 MiB, never grown): the chunk at 0, its results from 3 MiB.
  const OUT = 3 * CHUNK;
  const results = new Int32Array(exports.memory.buffer, OUT, (memory.length - OUT) >> 2);

  const jsEnds = [];
  const wasmEnds = [];
  function walkJs(keep) {
    for (const chunk of chunks) {
      bitmap.mark(chunk);
      for (let i = 0; i < chunk.length; ) {
        let j = chunk.indexOf(0x0a, i);
        if (j < 0) j = chunk.length;
        if (j > i && chunk[i] === 0x7b) {
          const end = skipObject(chunk, i, j, 1);
          if (keep) jsEnds.push(end < 0 ? end : end - i);
        }
        i = j + 1;
      }
    }
  }
  function walkWasm(keep) {
    for (const chunk of chunks) {
      if (chunk.length + 32 > OUT) throw new Error(`a chunk of ${chunk.length} bytes does not fit the module's memory`);
      memory.set(chunk, 0);
      memory[chunk.length] = 0x0a; // the walk's own stop, and 16 readable bytes after it
      const walked = exports.walkLines(0, chunk.length, OUT);
      if (keep) {
        // Line starts again, to turn the module's absolute ends into ends relative to their line.
        let k = 0;
        for (let i = 0; i < chunk.length; ) {
          let j = chunk.indexOf(0x0a, i);
          if (j < 0) j = chunk.length;
          if (j > i && chunk[i] === 0x7b) {
            const end = results[k++];
            wasmEnds.push(end < 0 ? end : end - i);
          }
          i = j + 1;
        }
        if (k !== walked) throw new Error(`wasm walked ${walked} lines of a chunk, js ${k}`);
      }
    }
  }

  walkJs(true);
  walkWasm(true);
  if (jsEnds.length !== wasmEnds.length) throw new Error(`js walked ${jsEnds.length} lines, wasm ${wasmEnds.length}`);
  for (let k = 0; k < jsEnds.length; k++) {
    if (jsEnds[k] !== wasmEnds[k]) throw new Error(`line ${k}: js returned ${jsEnds[k]}, wasm ${wasmEnds[k]}`);
  }

  const js = [];
  const wa = [];
  for (let round = 0; round < rounds; round++) {
    // The order alternates, so that neither always runs first in a round.
    const order = round % 2 === 0 ? [['js', walkJs, js], ['wasm', walkWasm, wa]] : [['wasm', walkWasm, wa], ['js', walkJs, js]];
    for (const [, walk, times] of order) {
      const start = cpuMs();
      walk(false);
      times.push((cpuMs() - start) / mb);
    }
  }
  const hot = (times) => times.slice(1);
  const ratios = hot(wa).map((t, k) => t / hot(js)[k]);
  const show = (times) => times.map((t) => t.toFixed(2)).join(' ');
  console.log(`${mb.toFixed(1)} MB, ${lines} lines (${jsEnds.length} walked, the same end for each in both), ${rounds} rounds (the first is warm-up), ms of CPU a MB:`);
  console.log(`js   (bitmap + skipObject): best ${Math.min(...hot(js)).toFixed(3)}, median ${median(hot(js)).toFixed(3)} (rounds ${show(js)})`);
  console.log(`wasm (copy + walk):         best ${Math.min(...hot(wa)).toFixed(3)}, median ${median(hot(wa)).toFixed(3)} (rounds ${show(wa)})`);
  console.log(`wasm/js, median of the hot rounds' ratios: ${median(ratios).toFixed(2)}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
