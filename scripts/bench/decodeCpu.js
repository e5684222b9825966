'use strict';
// The decode worker's CPU a MB, in process: no gunzip, no postMessage, no rollup, so that two builds can be told
// apart on a shared machine (whole runs drift by ±20% a thread under load).
//
//   node scripts/bench/decodeCpu.js BUILD[,BUILD…] ARCHIVE [MB] [ROUNDS]
//
// Each BUILD is a folder holding a build's dist/ and config/. The archive's first MB megabytes (default 150) are
// decompressed beforehand and cut at a line end; each round feeds them to decodeObject in 1 MiB chunks, adds each
// fast record to a RecordBatchWriter (with the default config's fieldsRead, as a run does) and reads each batch back
// with a RecordBatchReader. With several builds, each round runs every build in turn (the order alternating), in one
// process: separate processes here ran at up to 1.7x each other's speed (every round of one fast, or every round
// slow), and a burst of load elsewhere falls on both. Printed per build: the best hot round's CPU time
// (process.cpuUsage, user + system) in ms a MB, the median, and every round's; then each build's median ratio to
// the first over the hot rounds. BENCH_DETACH=1 detaches one buffer first, as a thread that transfers one does:
// from then on V8 checks every typed array access (docs/performance.md, "The string bitmap").
const path = require('node:path');
const { decompressedHead } = require('./decompressedHead');
const { Readable } = require('node:stream');

const [buildList, archive, mbArg, roundsArg] = process.argv.slice(2);
if (!archive) {
  console.error('usage: node scripts/bench/decodeCpu.js BUILD[,BUILD…] ARCHIVE [MB] [ROUNDS]');
  process.exit(2);
}

const megabytes = Number(mbArg ?? 150);
const rounds = Number(roundsArg ?? 7);
const CHUNK = 1 << 20;

const data = decompressedHead(archive, megabytes * CHUNK);

/** One build's modules, and the fieldsRead of its default config. */
function load(build) {
  const dist = path.resolve(build, 'dist');
  const { decodeObject } = require(path.join(dist, 'decode', 'decodeStream.js'));
  const { RecordBatchWriter, RecordBatchReader } = require(path.join(dist, 'decode', 'recordBatch.js'));
  const { loadConfig } = require(path.join(dist, 'config', 'loadConfig.js'));
  const { CategoryLookup, ACTIVE_USER_CATEGORY_MASK, M2M_CATEGORY_MASK } = require(path.join(dist, 'rollup', 'categoryLookup.js'));
  const categories = new CategoryLookup(loadConfig(undefined, path.resolve(build, 'config', 'default.json')).categories);
  const fieldsRead = { userIdTypes: categories.typesIn(ACTIVE_USER_CATEGORY_MASK), clientTypes: categories.typesIn(M2M_CATEGORY_MASK), logIdText: false };
  return { build, decodeObject, RecordBatchWriter, RecordBatchReader, fieldsRead, times: [], records: 0 };
}

async function round({ decodeObject, RecordBatchWriter, RecordBatchReader, fieldsRead }) {
  const chunks = [];
  for (let at = 0; at < data.length; at += CHUNK) chunks.push(data.subarray(at, Math.min(at + CHUNK, data.length)));
  const writer = new RecordBatchWriter(false);
  const reader = new RecordBatchReader();
  let records = 0;
  const readBack = () => {
    const taken = writer.take(0);
    const message = taken.message ?? taken; // builds before take() returned the message itself
    reader.read(message, () => records++);
  };
  const started = process.cpuUsage();
  await decodeObject(Readable.from(chunks, { objectMode: true }), { source: 'bench', defaultTenant: 'bench', fieldsRead }, {
    fastRecord(fast, buf) {
      if (writer.addFast(fast, buf)) readBack();
    },
    record(record) {
      if (writer.add(record)) readBack();
    },
    quarantine() {},
  });
  if (writer.size > 0) readBack();
  const used = process.cpuUsage(started);
  return { ms: (used.user + used.system) / 1000, records };
}

const median = (values) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];

(async () => {
  if (process.env.BENCH_DETACH === '1') structuredClone(new ArrayBuffer(8), { transfer: [new ArrayBuffer(8)] });
  const builds = buildList.split(',').map(load);
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 === 0 ? builds : [...builds].reverse();
    for (const build of order) {
      const result = await round(build);
      build.times.push(result.ms);
      build.records = result.records;
    }
  }
  const mb = data.length / CHUNK;
  console.log(`${mb.toFixed(1)} MB, ${rounds} rounds (the first is warm-up), ms of CPU a MB:`);
  for (const { build, times, records } of builds) {
    const hot = times.slice(1);
    console.log(`${build}: best ${(Math.min(...hot) / mb).toFixed(3)}, median ${(median(hot) / mb).toFixed(3)} (${records} records; rounds ${times.map((t) => (t / mb).toFixed(2)).join(' ')})`);
  }
  for (const { build, times } of builds.slice(1)) {
    const ratios = times.slice(1).map((t, i) => t / builds[0].times[i + 1]);
    console.log(`${build} / ${builds[0].build}: median ratio ${median(ratios).toFixed(3)} (${ratios.map((x) => x.toFixed(2)).join(' ')})`);
  }
})();
