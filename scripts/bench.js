#!/usr/bin/env node
'use strict';
// `npm run bench`: builds seeded, cached Firehose-style archives under bench-data/, then runs the job and its
// comparisons on the same files, one child process at a time, and prints times, speed ratios, peak RSS and a cost
// model per thread. Two data sets: today's (small, repetitive tenants) and a high-cardinality one (values as varied
// as a real tenant's, records out of order within an hour), so that no figure depends on a string cache's hit rate.
// Every timed command runs with the image's glibc settings (the Dockerfile's ENV MALLOC_…), the job with its
// NODE_OPTIONS too: the figures are the deployed job's (`--only=malloc-pad` measures the job without them).
// `--hostile` runs the hostile set instead (scripts/bench/hostile.js). Benchmarks are not tests: nothing here
// asserts a time; but every run of the job is checked against the generator's own tallies.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync, spawnSync } = require('node:child_process');
const { checkTruth } = require('./bench/checkTruth');
const { cliNodeFlags, imageMallocEnv } = require('./bench/cliNodeFlags');
const { costModel } = require('./bench/costModel');

const ROOT = path.resolve(__dirname, '..');
const ARGS = process.argv.slice(2);

const USAGE = `usage: npm run bench -- [options]    (or: node scripts/bench.js [options], after npm run build)

  (none)                 both data sets: speed against zcat, a naive script and jq; peak RSS; RSS on one growing
                         stream; the cost model (data made once and cached under bench-data/)
  --sets=NAME[,NAME]     only these sets: today, high-cardinality
  --only=CASE[,CASE]     only these cases: single, eight, scale, model (and, when named: firehose, backfill, one-thread,
                         state-tenants, malloc-pad)
  --quick                the same on small data (bench-data/quick/), for development: figures say nothing
  --generate             only make the data
  --hostile              the hostile inputs instead (issue 15), each in a child process with a time limit
  --limit=SECONDS        with --hostile: the time limit of each case (default 120)
  --help                 this text

What each figure means: docs/performance.md.`;
const KNOWN = [/^--quick$/, /^--generate$/, /^--hostile$/, /^--only=/, /^--sets=/, /^--limit=/];
if (ARGS.includes('--help') || ARGS.includes('-h')) {
  console.log(USAGE);
  process.exit(0);
}
const unknown = ARGS.filter((arg) => !KNOWN.some((known) => known.test(arg)));
if (unknown.length > 0) {
  console.error(`bench: unknown option ${unknown.join(' ')}\n\n${USAGE}`);
  process.exit(2);
}
const QUICK = ARGS.includes('--quick');
// The small --quick data lives apart, so that trying the bench does not throw away the full data (which takes minutes to make).
const DATA = path.join(ROOT, 'bench-data', ...(QUICK ? ['quick'] : []));
const ONLY = (ARGS.find((a) => a.startsWith('--only=')) || '').slice(7).split(',').filter(Boolean);
const SETS_WANTED = (ARGS.find((a) => a.startsWith('--sets=')) || '').slice(7).split(',').filter(Boolean);
const CLI = path.join(ROOT, 'dist', 'cli.js');
const GEN = path.join(__dirname, 'generate-archives.js');
const NAIVE = path.join(__dirname, 'bench', 'naiveReadline.js');
const THREAD_CPU = path.join(__dirname, 'bench', 'threadCpu.js');

/** The two data sets. `full` is one archive's records; `eightPerArchive` the records of each of the eight. */
const SETS = [
  {
    // Today's: ~1.4 KB a record, 333k records ≈ 460 MB uncompressed, ≈ 50 MB gzip; 2 tenants of 3000 users,
    // 18 clients and 5 audiences each, 6 user agents, records in time order.
    name: 'today',
    label: "today's set",
    full: QUICK ? 40000 : 333000,
    eightPerArchive: QUICK ? 5000 : 333000,
    seeds: { single: 101, eight: 102, scale: 103 },
    args: [],
  },
  {
    // High cardinality: 4 tenants of a million users each (≈ 215k distinct user_ids in 400k records), 800 clients,
    // 404 audiences, 30% IPv6, tens of thousands of distinct user agents and hundreds of descriptions, shuffled
    // within each hour. Eight archives of 100k records each keep its generation to a few minutes.
    name: 'high-cardinality',
    label: 'high-cardinality set',
    full: QUICK ? 40000 : 400000,
    eightPerArchive: QUICK ? 5000 : 100000,
    seeds: { single: 201, eight: 202, scale: 203 },
    args: ['--tenants', '4', '--users', '1000000', '--apps', '50', '--machines', '150', '--audiences', '100', '--ipv6', '0.3', '--realistic-text', '--order', 'hour'],
  },
];

function has(command) {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}

const metaOf = (name) => path.join(DATA, `${name}.meta`);

/**
 * The generator options a data set was made with, from its `done` stamp. Stamps written before 2026-12-06 also
 * held the truth file's path (`--truth PATH` last), so a copy of the data in another folder was made again: the
 * path is left out, since the truth file always sits beside the stamp.
 */
function stampedOptions(stamp) {
  let options;
  try {
    options = JSON.parse(fs.readFileSync(stamp, 'utf8'));
  } catch {
    return null;
  }
  if (!Array.isArray(options)) return null;
  if (options.at(-2) === '--truth') options = options.slice(0, -2);
  return JSON.stringify(options);
}

/** Generates once per (name, options); the seed makes the files the same every time. Records are newline-delimited
 *  unless `args` says otherwise (a later --delimiter wins). */
function dataset(name, args) {
  const dir = path.join(DATA, name);
  // Bookkeeping lives beside the data, never in it: the job reads every file of the folder it is given.
  const metaDir = metaOf(name);
  fs.mkdirSync(metaDir, { recursive: true });
  const stamp = path.join(metaDir, 'done');
  const truth = path.join(metaDir, 'truth.json');
  const full = [...args, '--truth', truth];
  if (stampedOptions(stamp) !== JSON.stringify(args)) {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(path.join(metaDir, 'uncompressed'), { force: true });
    process.stderr.write(`generating ${name} …\n`);
    const delimiter = args.includes('--delimiter') ? [] : ['--delimiter', 'newline'];
    execFileSync(process.execPath, [GEN, '--out', dir, ...delimiter, ...full], { stdio: ['ignore', 'ignore', 'inherit'] });
    fs.writeFileSync(stamp, JSON.stringify(args));
  }
  const files = [];
  (function walk(d) {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.name.startsWith('.')) continue;
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else files.push(p);
    }
  })(dir);
  const compressed = files.reduce((s, f) => s + fs.statSync(f).size, 0);
  const sizeFile = path.join(metaDir, 'uncompressed');
  if (!fs.existsSync(sizeFile)) {
    const out = execFileSync('sh', ['-c', `zcat ${q(files)} | wc -c`]);
    fs.writeFileSync(sizeFile, String(Number(out)));
  }
  const tally = JSON.parse(fs.readFileSync(truth, 'utf8'));
  return { name, dir, files, compressed, uncompressed: Number(fs.readFileSync(sizeFile, 'utf8')), truth, records: tally.written, cardinality: tally.cardinality };
}

/** The image's glibc settings (its ENV MALLOC_…): every timed command runs with them, the job's rivals too. */
const IMAGE_MALLOC_ENV = imageMallocEnv(ROOT);

/** Runs a shell command under GNU time: wall seconds, peak RSS (MB) of the largest process in it, CPU seconds
 *  (user and system), minor page faults. `env` is added to the image's; a name set to undefined is left unset. */
function measure(command, env) {
  const timeFile = path.join(os.tmpdir(), `auth0-usage-bench-${process.pid}.time`);
  const started = process.hrtime.bigint();
  const result = spawnSync('/usr/bin/time', ['-o', timeFile, '-f', '%M %U %S %R', 'sh', '-c', command], { encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, ...IMAGE_MALLOC_ENV, ...env } });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (result.status !== 0) throw new Error(`failed (${result.status}): ${command}\n${result.stderr}`);
  const [rssKb, user, sys, minorFaults] = fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop().split(' ').map(Number);
  return { seconds, rssMb: rssKb / 1024, cpuSeconds: user + sys, systemSeconds: sys, minorFaults, stdout: result.stdout };
}

/** Best of several runs: this machine is shared, and a run that lost the CPU to something else says nothing. */
function best(command, runs = QUICK ? 1 : 3, env, after) {
  let top;
  for (let i = 0; i < runs; i++) {
    const m = measure(command, env);
    if (after) after(m);
    if (!top || m.seconds < top.seconds) top = m;
  }
  return top;
}

function q(files) {
  return files.map((f) => `'${f}'`).join(' ');
}

/** The Dockerfile's NODE_OPTIONS, for a shell command line. */
const nodeFlags = () => cliNodeFlags(ROOT).join(' ');

/** One run of the job; its summaries go to a file and are checked against the generator's tallies every time. */
function jobCommand(set, output, extra = '') {
  return `node ${nodeFlags()} '${CLI}' run --input '${set.dir}' --output '${output}' --no-table --no-progress --log-level warn ${extra}`;
}
function bestJob(set, runs, extra = '', env) {
  const output = path.join(metaOf(set.name), 'summaries.ndjson');
  return best(jobCommand(set, output, extra), runs, env, () => {
    const problems = checkTruth(set.truth, output);
    if (problems.length) throw new Error(`the job's summaries of ${set.name} differ from the generator's tallies:\n  ${problems.slice(0, 10).join('\n  ')}`);
  });
}

/**
 * zcat and the job in turn, `runs` times each. This machine's speed drifts by up to 2× within minutes, so a block of
 * zcat runs and then a block of job runs can compare a fast minute with a slow one; each round's ratio compares
 * two runs made seconds apart. Returns the best run of each (for the table) and every round's zcat s / job s.
 */
function alternately(zcatCommand, set, runs) {
  let zcat;
  let job;
  const rounds = [];
  for (let i = 0; i < runs; i++) {
    const z = measure(zcatCommand);
    const j = bestJob(set, 1);
    rounds.push(z.seconds / j.seconds);
    if (!zcat || z.seconds < zcat.seconds) zcat = z;
    if (!job || j.seconds < job.seconds) job = j;
  }
  return { zcat, job, rounds };
}

/** The median of `values` (of an even count, the mean of the middle two). */
function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** '0.78 0.81 0.85 (median 0.81)': every round's ratio, and their median. */
function roundsText(rounds) {
  return `${rounds.map((r) => r.toFixed(2)).join(' ')} (median ${median(rounds).toFixed(2)})`;
}

function row(label, set, m, base) {
  return {
    case: label,
    'MB/s': (set.uncompressed / 1e6 / m.seconds).toFixed(0),
    'gz MB/s': (set.compressed / 1e6 / m.seconds).toFixed(1),
    'records/s': Math.round(set.records / m.seconds).toLocaleString('en-US'),
    'peak RSS MB': m.rssMb.toFixed(0),
    seconds: m.seconds.toFixed(2),
    'speed vs zcat': base ? (base.seconds / m.seconds).toFixed(2) : '',
  };
}

/** The data of one set (generated on first use): one archive, eight archives, and 1/4 and 1/2 of the one archive. */
function dataOf(spec) {
  const name = (part) => `${spec.name}-${part}`;
  const args = (days, records, seed) => ['--days', String(days), '--records', String(records), '--seed', String(seed), ...spec.args];
  return {
    single: dataset(name('single'), args(1, spec.full, spec.seeds.single)),
    eight: dataset(name('eight'), args(8, spec.eightPerArchive, spec.seeds.eight)),
    quarter: dataset(name('scale-1x'), args(1, Math.round(spec.full / 4), spec.seeds.scale)),
    half: dataset(name('scale-2x'), args(1, Math.round(spec.full / 2), spec.seeds.scale)),
  };
}

function runSet(spec, baseline) {
  const want = (name) => ONLY.length === 0 || ONLY.includes(name);
  const rows = [];
  const ratios = [];
  const notes = [];
  const models = [];
  const data = dataOf(spec);
  const { single, eight } = data;
  notes.push(`one archive: ${single.records.toLocaleString('en-US')} records, ${(single.uncompressed / 1e6).toFixed(0)} MB, ${(single.compressed / 1e6).toFixed(1)} MB gzip; distinct: ${Object.entries(single.cardinality).map(([k, v]) => `${k} ${v.toLocaleString('en-US')}`).join(', ')}`);
  notes.push(`eight archives: ${eight.records.toLocaleString('en-US')} records, ${(eight.uncompressed / 1e6).toFixed(0)} MB, ${(eight.compressed / 1e6).toFixed(1)} MB gzip`);

  if (want('single')) {
    const { zcat, job, rounds } = alternately(`zcat ${q(single.files)} > /dev/null`, single, QUICK ? 1 : 3);
    const naive = best(`node '${NAIVE}' ${q(single.files)}`);
    rows.push(row('one archive: zcat > /dev/null (floor)', single, zcat));
    rows.push(row('one archive: auth0-usage run', single, job, zcat));
    if (ONLY.includes('one-thread')) rows.push(row('one archive: auth0-usage run, --no-decode-workers', single, bestJob(single, undefined, '--no-decode-workers'), zcat));
    rows.push(row('one archive: naive readline + JSON.parse', single, naive, zcat));
    ratios.push(['one archive, speed vs zcat (zcat s / job s)', zcat.seconds / job.seconds]);
    ratios.push(['one archive, speed vs zcat in each round (zcat then job)', roundsText(rounds)]);
    ratios.push(['one archive, speed vs naive script (naive s / job s)', naive.seconds / job.seconds]);
    if (has('jq')) {
      const jqCount = `zcat ${q(single.files)} | jq -n 'reduce inputs as $e ({}; .[($e.detail.data.date[0:10]) + " " + $e.detail.data.type] += 1)' > /dev/null`;
      const jq = best(jqCount, 1);
      rows.push(row('one archive: jq daily per-type count', single, jq, zcat));
      ratios.push(['one archive, speed vs jq (jq s / job s)', jq.seconds / job.seconds]);
    } else notes.push('jq not installed: no jq row');
    ratios.push(['one archive, peak RSS MB', job.rssMb]);
  }
  if (want('eight')) {
    const runs = QUICK ? 1 : 2;
    const { zcat, job, rounds } = alternately(`zcat ${q(eight.files)} > /dev/null`, eight, runs);
    rows.push(row('eight archives: one zcat stream', eight, zcat));
    rows.push(row('eight archives: auth0-usage run', eight, job, zcat));
    ratios.push(['eight archives, speed vs one zcat stream', zcat.seconds / job.seconds]);
    ratios.push(['eight archives, speed vs one zcat stream in each round', roundsText(rounds)]);
    ratios.push(['eight archives, peak RSS MB', job.rssMb]);
  }
  if (want('model')) {
    models.push(['one archive', modelOf(single, baseline)]);
    models.push(['eight archives', modelOf(eight, baseline)]);
    // Each object's figures added up on its decode thread: where the main thread would saturate then.
    models.push(['eight archives, --aggregate-on-decode-threads', modelOf(eight, baseline, '--aggregate-on-decode-threads')]);
  }
  if (ONLY.some((name) => ['firehose', 'backfill', 'one-thread'].includes(name))) rows.push(...runExtras(spec));
  if (ONLY.includes('malloc-pad')) ratios.push(...mallocPad(single));
  if (want('scale')) {
    // One growing stream: one archive of 1/4, 1/2 and all of the single archive's records (4× is that archive).
    const scale = [['1×', data.quarter], ['2×', data.half], ['4×', single]];
    const rss = [];
    for (const [label, set] of scale) {
      const m = bestJob(set);
      rss.push(m.rssMb);
      rows.push(row(`one stream ${label} (${set.records.toLocaleString('en-US')} records)`, set, m));
    }
    ratios.push(['peak RSS 1× / 2× / 4× MB', rss.map((v) => v.toFixed(0)).join(' / ')]);
    ratios.push(['peak RSS 4× / 1×', rss[2] / rss[0]]);
  }
  return { spec, rows, ratios, notes, models };
}

/**
 * The one archive under several glibc settings in turns (each round in a new order): the image's, none (glibc's
 * defaults), and the ones docs/performance.md ("Page faults and glibc's pad") compares them with. Each setting's
 * medians, and each round's ratio to no setting (median): what the Dockerfile's MALLOC_TOP_PAD_ buys.
 */
function mallocPad(set) {
  const unset = Object.fromEntries(['MALLOC_TOP_PAD_', 'MALLOC_TRIM_THRESHOLD_', 'MALLOC_MMAP_THRESHOLD_', 'MALLOC_ARENA_MAX', ...Object.keys(IMAGE_MALLOC_ENV)].map((name) => [name, undefined]));
  const image = Object.entries(IMAGE_MALLOC_ENV).map(([name, value]) => `${name}=${value}`).join(' ');
  const settings = [
    [`the image's (${image})`, {}],
    ['none', unset],
    ['MALLOC_TOP_PAD_=33554432', { ...unset, MALLOC_TOP_PAD_: '33554432' }],
    ['MALLOC_TOP_PAD_=16777216', { ...unset, MALLOC_TOP_PAD_: '16777216' }],
    ['MALLOC_MMAP_THRESHOLD_=33554432', { ...unset, MALLOC_MMAP_THRESHOLD_: '33554432' }],
    ['MALLOC_TRIM_THRESHOLD_=268435456', { ...unset, MALLOC_TRIM_THRESHOLD_: '268435456' }],
    ['MALLOC_ARENA_MAX=2', { ...unset, MALLOC_ARENA_MAX: '2' }],
  ];
  const runs = settings.map(() => []);
  const rounds = QUICK ? 1 : 4;
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < settings.length; k++) {
      const i = (k + round) % settings.length;
      runs[i].push(bestJob(set, 1, '', settings[i][1]));
    }
  }
  const none = runs[1];
  return settings.map(([label], i) => {
    const list = runs[i];
    const pick = (key) => median(list.map((m) => m[key]));
    const ratio = (key) => median(list.map((m, r) => m[key] / none[r][key])).toFixed(2);
    const vsNone = i === 1 ? '' : `; against none, median of the rounds: wall ${ratio('seconds')}, CPU ${ratio('cpuSeconds')}, page faults ${ratio('minorFaults')}`;
    return [
      `one archive, glibc settings ${label} (median of ${rounds})`,
      `wall ${pick('seconds').toFixed(2)} s (${list.map((m) => m.seconds.toFixed(2)).join(' ')}), CPU ${pick('cpuSeconds').toFixed(2)} s of which system ${pick('systemSeconds').toFixed(2)} s, ${Math.round(pick('minorFaults')).toLocaleString('en-US')} page faults, peak RSS ${pick('rssMb').toFixed(0)} MB${vsNone}`,
    ];
  });
}

/** One run with each thread's own CPU time (scripts/bench/threadCpu.js). */
function threadCpu(input, flags = '') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-bench-cpu-'));
  try {
    const m = measure(`node ${nodeFlags()} -r '${THREAD_CPU}' '${CLI}' run --input '${input}' --output /dev/null --no-table --no-progress --log-level warn ${flags}`, { BENCH_THREAD_CPU_DIR: dir });
    const threads = fs.readdirSync(dir).map((f) => fs.readFileSync(path.join(dir, f), 'utf8').trim()).filter(Boolean).map((text) => JSON.parse(text));
    return { threads, processCpuMs: m.cpuSeconds * 1000, seconds: m.seconds };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** The cost model of one set, net of what a run of an empty folder costs (start-up and shutdown). */
function modelOf(set, baseline, flags) {
  return costModel({ ...threadCpu(set.dir, flags), records: set.records, megabytes: set.uncompressed / 1e6, baseline });
}

/** CPU of a run that reads nothing: loading the code, the config, writing the run event. Best of three. */
function emptyRun() {
  const empty = path.join(DATA, 'empty');
  fs.mkdirSync(empty, { recursive: true });
  let top;
  for (let i = 0; i < 3; i++) {
    const run = threadCpu(empty);
    const mainMs = run.threads.filter((t) => t.thread === 'main').reduce((s, t) => s + t.cpuMs, 0);
    const sample = { mainMs, otherMs: Math.max(0, run.processCpuMs - run.threads.reduce((s, t) => s + t.cpuMs, 0)) };
    if (!top || sample.mainMs + sample.otherMs < top.mainMs + top.otherMs) top = sample;
  }
  return top;
}

function printModel(label, model) {
  console.log(`  cost model, ${label} (${model.workers} decode worker${model.workers === 1 ? '' : 's'}, ${model.seconds.toFixed(2)} s wall, net of an empty run):`);
  console.log(`    main thread      ${model.mainMs.toFixed(0).padStart(6)} ms CPU = ${model.mainUsPerRecord.toFixed(2)} µs a record = ${model.mainUsPerMb.toFixed(0)} µs a MB`);
  console.log(`    decode workers   ${model.workerMs.toFixed(0).padStart(6)} ms CPU = ${model.workerUsPerMb.toFixed(0)} µs a MB`);
  console.log(`    other threads    ${model.otherMs.toFixed(0).padStart(6)} ms CPU = ${model.otherUsPerMb.toFixed(0)} µs a MB (gunzip on the libuv pool, V8's GC and compiler helpers)`);
  console.log(`    main thread saturates at ${model.saturationCores.toFixed(2)} cores ((main + workers + other) / main); one core then carries ${model.ceilingMbPerSecond.toFixed(0)} MB/s of input through it`);
  for (const [who, time] of [['main thread', model.main], ['decode workers', model.decode]]) {
    if (time) console.log(`    ${who.padEnd(16)} alive ${time.aliveMs.toFixed(0)} ms: on a core ${time.cpuMs.toFixed(0)}, waiting for a core ${time.coreWaitMs.toFixed(0)}, waiting for work ${time.workWaitMs.toFixed(0)} (start-up included)`);
  }
}

/** Cases of the earlier bench, on today's data only, run when named in --only: the `}{` layout Firehose writes by
 *  default, backfills of 10 to 90 days, and every job case again on one thread (`one-thread`). */
function runExtras(spec) {
  const rows = [];
  const oneThread = ONLY.includes('one-thread');
  const jobRows = (label, set, base) => {
    rows.push(row(label, set, bestJob(set), base));
    if (oneThread) rows.push(row(`${label}, --no-decode-workers`, set, bestJob(set, undefined, '--no-decode-workers'), base));
  };
  if (ONLY.includes('firehose')) {
    const set = dataset(`${spec.name}-single-firehose`, ['--days', '1', '--records', String(spec.full), '--seed', String(spec.seeds.single), '--delimiter', 'none', ...spec.args]);
    const zcat = best(`zcat ${q(set.files)} > /dev/null`);
    rows.push(row('`}{` stream: zcat > /dev/null', set, zcat));
    jobRows('`}{` stream: auth0-usage run', set, zcat);
  }
  if (ONLY.includes('backfill')) {
    // A small tenant (20 000 records a day) and a large one (100 000 a day, about 4 GB of logs a month).
    const tenants = [
      { label: '', name: 'backfill', perDay: QUICK ? 2000 : 20000, days: [10, 30, 90] },
      { label: ', large tenant', name: 'backfill-large', perDay: QUICK ? 10000 : 100000, days: [10, 90] },
    ];
    for (const tenant of tenants) {
      for (const days of tenant.days) {
        const set = dataset(`${spec.name}-${tenant.name}-${days}d`, ['--days', String(days), '--records', String(tenant.perDay), '--seed', '104', ...spec.args]);
        jobRows(`backfill ${days} days${tenant.label}`, set);
      }
    }
  }
  return rows;
}

/**
 * `--only=state-tenants`: a backfill of many small tenants (2,000 over 30 days: 58,888 tenant-days) into a new local
 * --state. Bound by files, not bytes: two files a tenant-day to publish into the state, and the days evicted while
 * reading. One run (it takes minutes); the state is made afresh for it, and the summaries are checked as every run's.
 */
function stateTenants() {
  const [tenants, days] = QUICK ? [200, 5] : [2000, 30];
  const set = dataset(`state-tenants-${tenants}x${days}`, ['--days', String(days), '--records', String(tenants * 4), '--tenants', String(tenants), '--users', '100000', '--seed', '105']);
  const state = path.join(metaOf(set.name), 'state');
  fs.rmSync(state, { recursive: true, force: true });
  const m = bestJob(set, 1, `--state '${state}'`);
  fs.rmSync(state, { recursive: true, force: true });
  return { rows: [row(`${tenants} tenants over ${days} days into a new local --state`, set, m)] };
}

function main() {
  if (ARGS.includes('--hostile')) {
    require('./bench/hostile').runHostile({ root: ROOT, data: path.join(DATA, 'hostile'), quick: QUICK, only: ONLY });
    return;
  }
  if (!fs.existsSync(CLI)) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  const machine = `${os.cpus().length} cores (${os.cpus()[0].model.trim()}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
  const loadBefore = os.loadavg();
  const sets = SETS.filter((spec) => SETS_WANTED.length === 0 || SETS_WANTED.includes(spec.name));
  if (ARGS.includes('--generate')) {
    for (const spec of sets) dataOf(spec);
    return;
  }
  const baseline = emptyRun();
  const results = sets.map((spec) => runSet(spec, baseline));
  const manyTenants = ONLY.includes('state-tenants') ? stateTenants() : undefined;
  const loadAfter = os.loadavg();
  const load = (l) => l.map((v) => v.toFixed(2)).join(' ');
  console.log(`auth0-usage benchmark — ${machine}${QUICK ? ' — QUICK (small data)' : ''}`);
  console.log(`load average (1, 5, 15 min) before: ${load(loadBefore)}; after: ${load(loadAfter)}`);
  console.log(`an empty run (start-up, no input), subtracted in the cost models: main thread ${baseline.mainMs.toFixed(0)} ms, other threads ${baseline.otherMs.toFixed(0)} ms CPU`);
  for (const { spec, rows, ratios, notes, models } of results) {
    console.log(`\n== ${spec.label} ==`);
    for (const note of notes) console.log(`  ${note}`);
    if (rows.length) console.table(rows);
    for (const [what, value] of ratios) console.log(`  ${what}: ${typeof value === 'number' ? value.toFixed(2) : value}`);
    for (const [label, model] of models) printModel(label, model);
  }
  if (manyTenants) {
    console.log('\n== many tenants into a local state ==');
    console.table(manyTenants.rows);
  }
  fs.writeFileSync(
    path.join(DATA, 'results.json'),
    JSON.stringify({ machine, quick: QUICK, date: new Date().toISOString(), baseline, load: { before: loadBefore, after: loadAfter }, sets: results.map((r) => ({ set: r.spec.name, notes: r.notes, rows: r.rows, ratios: Object.fromEntries(r.ratios), models: Object.fromEntries(r.models) })), ...(manyTenants ? { stateTenants: manyTenants.rows } : {}) }, null, 1),
  );
}

main();
