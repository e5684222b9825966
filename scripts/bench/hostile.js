'use strict';
// `npm run bench -- --hostile`: the hostile set of issue 15. Each file is read by the job in its own child process,
// under GNU time (peak RSS) and `timeout` (a time limit: past it the run is killed and reported as "> limit").
// Nothing here asserts anything: it prints what happened, for docs/performance.md's before/after tables.
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync, spawn } = require('node:child_process');
const files = require('./hostileFiles');
const { checkTruth } = require('./checkTruth');
const { cliNodeFlags, imageMallocEnv } = require('./cliNodeFlags');

// The CronJob's memory limit (config/): a run above it would be OOM-killed there.
const MEMORY_LIMIT_MB = 2048;

/** The cases: full size as issue 15 tried them (or scaled, as `scale` says), and a small --quick size. */
function cases(quick) {
  const n = (full, small) => (quick ? small : full);
  const days = n(120, 12);
  const perDay = n(3000, 1000);
  const records = n(300000, 20000);
  return [
    {
      name: 'days-random',
      what: `${days} days × ${perDay} records, one archive, random order`,
      generate: ['--days', String(days), '--records', String(perDay), '--order', 'random'],
    },
    {
      name: 'days-sorted',
      what: `the same records in time order`,
      generate: ['--days', String(days), '--records', String(perDay), '--one-archive'],
    },
    {
      name: 'tenants-50k',
      what: `${records.toLocaleString('en-US')} records of ${n(50000, 5000).toLocaleString('en-US')} tenants, one day`,
      generate: ['--records', String(records), '--tenants', String(n(50000, 5000)), '--users', '3000', '--apps', '2', '--machines', '3', '--audiences', '1'],
    },
    {
      name: 'tenants-1',
      what: `the same record count, 1 tenant`,
      generate: ['--records', String(records), '--tenants', '1', '--users', '3000', '--apps', '2', '--machines', '3', '--audiences', '1'],
    },
    {
      name: 'objects-5000',
      what: `${n(10, 2)} days × ${n(20000, 2000).toLocaleString('en-US')} records in ${n(500, 200)} objects a day (${n(40, 10)} records each)`,
      generate: ['--days', String(n(10, 2)), '--records', String(n(20000, 2000)), '--files-per-day', String(n(500, 200))],
    },
    {
      name: 'objects-10',
      what: `the same record count in one object a day`,
      generate: ['--days', String(n(10, 2)), '--records', String(n(20000, 2000))],
    },
    {
      name: 'long-records',
      what: `${n(3, 1)} days × ${n(20000, 5000).toLocaleString('en-US')} records, 1% with a 40,000-byte body (past the fast path's item limit)`,
      generate: ['--days', String(n(3, 1)), '--records', String(n(20000, 5000)), '--long-share', '0.01'],
    },
    {
      name: 'junk-quarantined',
      what: `${n(40000, 2000).toLocaleString('en-US')} junk lines of 64 KiB, --quarantine`,
      write: (file) => files.junkLines(file, n(40000, 2000), 65536),
      quarantine: true,
    },
    {
      name: 'tiny-lines',
      what: `${n(10_000_000, 500_000).toLocaleString('en-US')} one-character lines`,
      write: (file) => files.tinyLines(file, n(10_000_000, 500_000)),
    },
    {
      name: 'unterminated-string',
      what: `one unterminated string of ${n(300, 20)} MB (issue 15 tried 3 GB: scaled to a tenth)`,
      write: (file) => files.unterminatedString(file, n(300, 20) * 1e6),
    },
    {
      name: 'keys-2m',
      what: `one record with ${n(2_000_000, 200_000).toLocaleString('en-US')} distinct keys`,
      write: (file) => files.manyKeys(file, n(2_000_000, 200_000)),
    },
    {
      name: 'unknown-types',
      what: `${n(300000, 20000).toLocaleString('en-US')} records of distinct unknown type codes`,
      write: (file) => files.unknownTypes(file, n(300000, 20000)),
      runEventSize: true,
    },
  ];
}

const truthOf = (data, spec) => path.join(data, `${spec.name}.truth.json`);

async function prepare(data, spec) {
  const dir = path.join(data, spec.name);
  const stamp = path.join(data, `${spec.name}.done`);
  const wanted = JSON.stringify(spec.generate ?? spec.what);
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === wanted) return dir;
  fs.rmSync(dir, { recursive: true, force: true });
  process.stderr.write(`writing hostile input ${spec.name} …\n`);
  if (spec.generate) {
    const gen = path.join(__dirname, '..', 'generate-archives.js');
    // One seed for both halves of a pair: the random and sorted files hold the very same records.
    execFileSync(process.execPath, [gen, '--out', dir, '--seed', '301', '--delimiter', 'newline', '--truth', truthOf(data, spec), ...spec.generate], { stdio: ['ignore', 'ignore', 'inherit'] });
  } else await spec.write(path.join(dir, `${spec.name}.gz`));
  fs.writeFileSync(stamp, wanted);
  return dir;
}

function sizeOf(dir) {
  let compressed = 0;
  (function walk(d) {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else compressed += fs.statSync(p).size;
    }
  })(dir);
  return compressed;
}

/**
 * Runs `node args` under GNU time; after `limit` seconds sends the node process (not time) SIGTERM, then SIGKILL
 * 5 s later. time then reaps it and still writes its peak RSS, which a `timeout` around time would not let it do.
 * `env`: added to this process's environment (the image's glibc settings).
 */
function timed(args, timeFile, limit, env) {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-o', timeFile, '-f', '%M', process.execPath, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text) => (stderr = (stderr + text).slice(-1 << 16)));
    let killed = false;
    const signal = (name) => {
      let pids = [];
      try {
        pids = fs.readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
      } catch {
        return; // time has already ended
      }
      for (const pid of pids) {
        try {
          process.kill(pid, name);
        } catch {
          // ended meanwhile
        }
      }
    };
    const term = setTimeout(() => {
      killed = true;
      signal('SIGTERM');
    }, limit * 1000);
    const kill = setTimeout(() => signal('SIGKILL'), (limit + 5) * 1000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(term);
      clearTimeout(kill);
      resolve({ status, stderr, killed });
    });
  });
}

/** The first error line of the job's stderr: the message of a JSON log line, else the line itself. */
function firstError(stderr) {
  for (const line of stderr.split('\n')) {
    if (!line.trim()) continue;
    try {
      const entry = JSON.parse(line);
      if (entry.level === 'error' || entry.level >= 50) return [entry.msg, typeof entry.err === 'string' ? entry.err : entry.err?.message].filter(Boolean).join(': ') || line;
    } catch {
      return line;
    }
  }
  return '';
}

/** One run of the job on `dir`, stopped after `limit` seconds. */
async function run(root, data, spec, dir, limit) {
  const outDir = path.join(data, 'out');
  fs.mkdirSync(outDir, { recursive: true });
  const output = path.join(outDir, `${spec.name}.summaries.ndjson`);
  const quarantine = path.join(outDir, `${spec.name}.quarantine.ndjson`);
  const timeFile = path.join(outDir, `${spec.name}.time`);
  for (const f of [output, quarantine, timeFile]) fs.rmSync(f, { force: true });
  // The image's Node flags, as the main bench runs the job with.
  const args = [...cliNodeFlags(root), path.join(root, 'dist', 'cli.js'), 'run', '--input', dir, '--output', output, '--no-table', '--no-progress', '--log-level', 'warn', ...(spec.quarantine ? ['--quarantine', quarantine] : [])];
  const started = process.hrtime.bigint();
  const result = await timed(args, timeFile, limit, imageMallocEnv(root));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const timeText = fs.existsSync(timeFile) ? fs.readFileSync(timeFile, 'utf8').trim().split('\n') : [];
  // time notes "Command terminated by signal N" or "Command exited with non-zero status N" above the figure.
  const rssMb = Number(timeText[timeText.length - 1]) / 1024;
  const status = result.status;
  let outcome;
  const bySignal = /terminated by signal (\d+)/.exec(timeText.join(' '));
  if (result.killed) outcome = `stopped at the limit (> ${limit} s): ${bySignal ? `killed by signal ${bySignal[1]}` : `exit ${status} after SIGTERM`}`;
  else if (/heap out of memory/i.test(result.stderr)) outcome = `crashed: JavaScript heap out of memory (exit ${status})`;
  else if (status === 0 || status === 3) outcome = `exit ${status}`;
  else outcome = `exit ${status}: ${firstError(result.stderr).slice(0, 160)}`;
  const row = {
    case: spec.name,
    input: spec.what,
    'gzip MB': (sizeOf(dir) / 1e6).toFixed(1),
    seconds: result.killed ? `> ${limit}` : seconds.toFixed(1),
    'peak RSS MB': Number.isFinite(rssMb) ? rssMb.toFixed(0) : '?',
    [`over ${MEMORY_LIMIT_MB} MiB`]: rssMb > MEMORY_LIMIT_MB ? 'yes' : 'no',
    outcome,
  };
  if (spec.runEventSize) {
    const lines = fs.existsSync(output) ? fs.readFileSync(output, 'utf8').split('\n').filter(Boolean) : [];
    const runLine = lines.find((l) => l.includes('"summary":"run"'));
    row.outcome += runLine ? `; run event ${(Buffer.byteLength(runLine) / 1e6).toFixed(2)} MB` : '; no run event';
  }
  if (spec.generate && !result.killed && fs.existsSync(output)) {
    const problems = checkTruth(truthOf(data, spec), output);
    row.outcome += problems.length ? `; summaries DIFFER from the generator's tallies (${problems[0]})` : '; summaries = generator tallies';
  }
  if (spec.quarantine && fs.existsSync(quarantine)) row.outcome += `; quarantine file ${(fs.statSync(quarantine).size / 1e6).toFixed(0)} MB`;
  // A run stopped at the limit leaves the job's temporary files (`.<name>.<pid>.tmp`): say how much, then remove them.
  const leftovers = fs.readdirSync(outDir).filter((f) => f.startsWith(`.${spec.name}.`) && f.endsWith('.tmp')).map((f) => path.join(outDir, f));
  const leftBytes = leftovers.reduce((n, f) => n + fs.statSync(f).size, 0);
  if (leftovers.length) row.outcome += `; left ${leftovers.length} temporary file(s) of ${(leftBytes / 1e6).toFixed(0)} MB`;
  for (const f of [output, quarantine, ...leftovers]) fs.rmSync(f, { force: true }); // up to gigabytes of quarantined junk
  return row;
}

async function runHostileAsync({ root, data, quick, only }) {
  const cli = path.join(root, 'dist', 'cli.js');
  if (!fs.existsSync(cli)) execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  const limit = Number((process.argv.find((a) => a.startsWith('--limit=')) || '').slice(8)) || (quick ? 30 : 120);
  const list = cases(quick).filter((spec) => only.length === 0 || only.includes(spec.name));
  const dirs = [];
  for (const spec of list) dirs.push(await prepare(data, spec));
  if (process.argv.includes('--generate')) return;
  const rows = [];
  for (const [i, spec] of list.entries()) {
    process.stderr.write(`hostile: ${spec.name} …\n`);
    rows.push(await run(root, data, spec, dirs[i], limit));
  }
  const os = require('node:os');
  console.log(`auth0-usage hostile set — ${os.cpus().length} cores, Node ${process.version}, time limit ${limit} s${quick ? ' — QUICK (small inputs)' : ''}; load average after: ${os.loadavg().map((v) => v.toFixed(2)).join(' ')}`);
  console.table(rows);
  fs.writeFileSync(path.join(data, 'results.json'), JSON.stringify({ date: new Date().toISOString(), quick, limit, rows }, null, 1));
}

function runHostile(options) {
  runHostileAsync(options).catch((err) => {
    process.stderr.write(`bench --hostile: ${err.stack}\n`);
    process.exitCode = 1;
  });
}

module.exports = { runHostile };
