#!/usr/bin/env node
'use strict';
// Seeded generator of realistic Auth0 log archives (Firehose-style EventBridge events by default), for the
// benchmark and for large-input tests. The same seed and options always give byte-identical files.
// It also tallies what it wrote (--truth FILE): an independent count to check the job's summaries against.
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');
const { once } = require('node:events');
const yargs = require('yargs');

const argv = yargs(process.argv.slice(2))
  .usage('$0 --out DIR [options]\n\nWrites seeded, realistic Auth0 log archives.')
  .option('out', { type: 'string', demandOption: true, describe: 'Folder to write into (created)' })
  .option('seed', { type: 'number', default: 42 })
  .option('start', { type: 'string', default: '2024-01-01', describe: 'First UTC day' })
  .option('days', { type: 'number', default: 1 })
  .option('records', { type: 'number', default: 10000, describe: 'Records per day' })
  .option('files-per-day', { type: 'number', default: 1 })
  .option('tenants', { type: 'number', default: 2 })
  .option('format', { choices: ['firehose', 'ndjson', 'webhook', 'array'], default: 'firehose' })
  .option('delimiter', { choices: ['none', 'newline'], default: 'none', describe: 'Between firehose records: none (Firehose default) or newline (AppendDelimiterToRecord)' })
  .option('gzip', { type: 'boolean', default: true })
  .option('level', { type: 'number', default: 6, describe: 'gzip level' })
  .option('duplicates', { type: 'number', default: 0.002, describe: 'Share of records written twice' })
  .option('truth', { type: 'string', describe: 'Write the tallies of what was generated (JSON) here' })
  .strict()
  .parseSync();

// mulberry32: tiny, fast, seedable.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(argv.seed);
const pick = (list) => list[Math.floor(random() * list.length)];
const hex = (n) => Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join('');
const alnum = (n) => Array.from({ length: n }, () => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'[Math.floor(random() * 62)]).join('');

// Event mix of a tenant with both users and machine clients.
const MIX = [
  ['seccft', 40], ['s', 16], ['sertft', 9], ['seacft', 7], ['ssa', 5], ['slo', 4], ['sapi', 4], ['fp', 2.5], ['f', 1],
  ['fu', 1.2], ['ss', 2.5], ['fs', 0.4], ['feccft', 1], ['fertft', 0.5], ['pwd_leak', 0.2], ['signup_pwd_leak', 0.05],
  ['w', 1], ['mgmt_api_read', 1], ['depnote', 0.2], ['scoa', 1], ['fcoa', 0.3], ['sepft', 1], ['limit_wc', 0.05],
];
const MIX_TOTAL = MIX.reduce((s, [, w]) => s + w, 0);
function pickType() {
  let r = random() * MIX_TOTAL;
  for (const [type, weight] of MIX) if ((r -= weight) < 0) return type;
  return 's';
}

const AGENTS = ['Chrome 120.0.0 / Mac OS X 10.15.7', 'Firefox 121.0.0 / Windows 10.0.0', 'Mobile Safari 17.2.0 / iOS 17.2.0', 'Chrome Mobile 120.0.0 / Android 14.0.0', 'Go-http-client/2.0', 'node-fetch/1.0'];
const CITIES = [['Berlin', 'DE', 'DEU', 'Germany', 52.52, 13.4, 'Europe/Berlin'], ['New York', 'US', 'USA', 'United States', 40.71, -74.0, 'America/New_York'], ['Sydney', 'AU', 'AUS', 'Australia', -33.87, 151.2, 'Australia/Sydney'], ['São Paulo', 'BR', 'BRA', 'Brazil', -23.55, -46.63, 'America/Sao_Paulo']];

const tenants = Array.from({ length: argv.tenants }, (_, t) => {
  const name = `tenant${t + 1}`;
  const host = `${name}.eu.auth0.com`;
  return {
    name,
    host,
    apps: Array.from({ length: 6 }, (_, i) => ({ id: alnum(32), name: `Web App ${i + 1}` })),
    machines: Array.from({ length: 12 }, (_, i) => ({ id: alnum(32), name: `Service ${i + 1}`, audience: i < 2 ? `https://${host}/api/v2/` : `https://api${i % 4}.${name}.example.com` })),
    users: Array.from({ length: 3000 }, () => `auth0|${hex(24)}`),
  };
});

const truth = {};
function tally(tenant, day, type, userId, audience) {
  const key = `${tenant}|${day}`;
  const t = (truth[key] ??= { tenant, day, events: 0, types: {}, users: new Set(), m2mBillable: 0 });
  t.events++;
  t.types[type] = (t.types[type] ?? 0) + 1;
  if ((type === 's' || type === 'ss') && userId) t.users.add(userId);
  if (type === 'seccft' && !/^https:\/\/[^/]+\.auth0\.com\/api\/v2\/?$/.test(audience)) t.m2mBillable++;
}

let serial = 0;
function makeRecord(tenant, ms) {
  const type = pickType();
  const machine = type === 'seccft' || type === 'feccft' || type === 'mgmt_api_read';
  const client = machine ? pick(tenant.machines) : pick(tenant.apps);
  const user = machine ? '' : pick(tenant.users);
  const city = pick(CITIES);
  const date = new Date(ms).toISOString();
  const digits = date.replace(/\D/g, '').slice(0, 17);
  const logId = `900${digits}${String(++serial).padStart(36, '0')}`.slice(0, 56);
  const record = {
    date,
    type,
    description: machine ? 'Client Credentials for Access Token' : type.startsWith('f') ? 'Wrong email or password.' : '',
    connection: machine ? undefined : 'Username-Password-Authentication',
    connection_id: machine ? '' : `con_${alnum(16)}`,
    client_id: client.id,
    client_name: client.name,
    ip: `${Math.floor(random() * 223) + 1}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}`,
    client_ip: machine ? null : undefined,
    user_agent: pick(AGENTS),
    details: machine
      ? { access_token_jti: hex(32), actions: { executions: [`${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`] } }
      : { prompts: [], initiatedAt: ms - 1800, completedAt: ms, elapsedTime: 1800, session_id: alnum(32), stats: { loginsCount: Math.floor(random() * 400) } },
    hostname: tenant.host,
    audience: machine ? client.audience : undefined,
    scope: machine ? ['read:orders', 'write:orders', 'read:customers'] : undefined,
    user_id: user,
    user_name: user ? `${user.slice(6, 14)}@example.com` : '',
    strategy: machine ? undefined : 'auth0',
    strategy_type: machine ? undefined : 'database',
    auth0_client: { name: 'auth0.js', version: '9.23.0', env: { node: '20.11.0' } },
    location_info: { city_name: city[0], country_code: city[1], country_code3: city[2], country_name: city[3], latitude: city[4], longitude: city[5], time_zone: city[6], continent_code: 'EU' },
    $event_schema: { version: '1.0.0' },
    log_id: logId,
    tenant_name: tenant.name,
    environment_name: 'prod-eu-1',
    isMobile: random() < 0.3,
  };
  tally(tenant.name, date.slice(0, 10), type, user, record.audience ?? '');
  return record;
}

function wrap(record) {
  if (argv.format === 'firehose') {
    return { version: '0', id: `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`, 'detail-type': 'Auth0 log', source: `aws.partner/auth0.com/${record.tenant_name}-${hex(8)}/auth0.logs`, account: '123456789012', time: record.date.slice(0, 19) + 'Z', region: 'eu-west-1', resources: [], detail: { log_id: record.log_id, data: record } };
  }
  if (argv.format === 'webhook') return { log_id: record.log_id, data: record };
  return record;
}

async function writeFile(file, records) {
  const out = fs.createWriteStream(file);
  const sink = argv.gzip ? zlib.createGzip({ level: argv.level }) : null;
  if (sink) sink.pipe(out);
  const target = sink ?? out;
  const sep = argv.format === 'firehose' ? (argv.delimiter === 'newline' ? '\n' : '') : argv.format === 'array' ? ',\n' : '\n';
  if (argv.format === 'array') target.write('[\n');
  let first = true;
  for (const record of records) {
    const text = (first || argv.format !== 'array' ? '' : sep) + JSON.stringify(wrap(record)) + (argv.format === 'array' ? '' : sep);
    first = false;
    if (!target.write(text)) await once(target, 'drain');
  }
  if (argv.format === 'array') target.write('\n]\n');
  target.end();
  await once(out, 'close');
}

async function main() {
  fs.mkdirSync(argv.out, { recursive: true });
  const dayMs = 86400000;
  const start = Date.parse(`${argv.start}T00:00:00.000Z`);
  const perFile = Math.ceil(argv.records / argv['files-per-day']);
  let written = 0;
  for (let d = 0; d < argv.days; d++) {
    const dayStart = start + d * dayMs;
    const times = Array.from({ length: argv.records }, () => dayStart + Math.floor(random() * dayMs)).sort((a, b) => a - b);
    for (let f = 0; f < argv['files-per-day']; f++) {
      const records = [];
      for (const ms of times.slice(f * perFile, (f + 1) * perFile)) {
        const record = makeRecord(pick(tenants), ms);
        records.push(record);
        if (random() < argv.duplicates) records.push(record); // at-least-once delivery repeats records verbatim
      }
      const iso = new Date(dayStart).toISOString();
      const dir = path.join(argv.out, iso.slice(0, 4), iso.slice(5, 7), iso.slice(8, 10));
      fs.mkdirSync(dir, { recursive: true });
      const file = path.join(dir, `auth0-logs-${argv.seed}-${iso.slice(0, 10)}-${String(f).padStart(3, '0')}${argv.gzip ? '.gz' : ''}`);
      await writeFile(file, records);
      written += records.length;
    }
  }
  if (argv.truth) {
    const rows = Object.values(truth).map((t) => ({ ...t, users: t.users.size })).sort((a, b) => (a.tenant + a.day).localeCompare(b.tenant + b.day));
    fs.writeFileSync(argv.truth, JSON.stringify({ seed: argv.seed, unique: serial, written, days: rows }, null, 1));
  }
  process.stderr.write(`wrote ${written} records (${serial} unique) to ${argv.out}\n`);
}

main().catch((err) => {
  process.stderr.write(`generate-archives: ${err.message}\n`);
  process.exitCode = 1;
});
