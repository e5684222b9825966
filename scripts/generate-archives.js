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
  // Cardinality and order, for a benchmark that does not flatter: the defaults are today's small, repetitive
  // tenants (byte-identical output); the options below make values as varied, and the order as loose, as real ones.
  .option('users', { type: 'number', describe: 'Users per tenant, derived from a hash (no pool in memory) [default: a pool of 3000]' })
  .option('apps', { type: 'number', default: 6, describe: 'Interactive applications per tenant' })
  .option('machines', { type: 'number', default: 12, describe: 'Machine (client credentials) clients per tenant' })
  .option('audiences', { type: 'number', default: 4, describe: 'Custom API audiences per tenant (machine clients 1 and 2 call the Management API)' })
  .option('ipv6', { type: 'number', default: 0, describe: 'Share of records from an IPv6 address' })
  .option('realistic-text', { type: 'boolean', default: false, describe: 'Varied user agents (parsed and raw, many versions) and descriptions per event type' })
  .option('order', { choices: ['sorted', 'hour', 'random'], default: 'sorted', describe: 'Record order: by time; shuffled within each hour; or every record of the run shuffled (implies --one-archive)' })
  .option('one-archive', { type: 'boolean', default: false, describe: 'All days in one archive (<out>/all/) instead of one folder per day' })
  .option('long-share', { type: 'number', default: 0, describe: 'Share of records carrying a large request body in details (a Management API call with a big payload)' })
  .option('long-bytes', { type: 'number', default: 40000, describe: 'Size of that body, in characters' })
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
// Shuffling draws from its own stream, so that --order changes only where records are, never what they are.
const shuffleRandom = rng(argv.seed ^ 0x5bd1e995);
function shuffle(list, from = 0, to = list.length) {
  for (let i = to - 1; i > from; i--) {
    const j = from + Math.floor(shuffleRandom() * (i - from + 1));
    [list[i], list[j]] = [list[j], list[i]];
  }
}
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

// A user id from its tenant and number, without a pool: 64 bits of two 32-bit mixes (murmur3's finalizer),
// so that a million users a tenant cost no memory and no draws from the seeded stream.
function mix32(x) {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}
function hashedUser(tenantIndex, n) {
  const a = mix32(n ^ mix32(tenantIndex + argv.seed * 0x9e3779b1));
  const b = mix32(a ^ n ^ 0x27d4eb2f);
  const c = mix32(b ^ tenantIndex);
  return `auth0|${[a, b, c].map((v) => v.toString(16).padStart(8, '0')).join('')}`;
}

const tenants = Array.from({ length: argv.tenants }, (_, t) => {
  const name = `tenant${t + 1}`;
  const host = `${name}.eu.auth0.com`;
  return {
    name,
    host,
    apps: Array.from({ length: argv.apps }, (_, i) => ({ id: alnum(32), name: `Web App ${i + 1}` })),
    machines: Array.from({ length: argv.machines }, (_, i) => ({ id: alnum(32), name: `Service ${i + 1}`, audience: i < 2 ? `https://${host}/api/v2/` : `https://api${i % argv.audiences}.${name}.example.com` })),
    users: argv.users === undefined ? Array.from({ length: 3000 }, () => `auth0|${hex(24)}`) : null,
    pickUser: argv.users === undefined ? null : () => hashedUser(t, Math.floor(random() * argv.users)),
  };
});

// Realistic text: the parsed short form Auth0 writes most of the time, raw browser strings and HTTP libraries,
// each with many versions, so that user agents are as varied as a real tenant's.
const OSES = ['Windows 10.0.0', 'Mac OS X 10.15.7', 'Mac OS X 14.2.1', 'iOS 17.2.1', 'iOS 16.7.4', 'Android 14.0.0', 'Android 13.0.0', 'Linux 0.0.0', 'Chrome OS 15633.69.0'];
const BROWSERS = ['Chrome', 'Firefox', 'Safari', 'Mobile Safari', 'Edge', 'Chrome Mobile', 'Samsung Internet', 'Opera'];
const PHONES = ['SM-S918B', 'Pixel 8 Pro', 'SM-A546B', 'M2101K6G', 'CPH2449', 'moto g(60)'];
const between = (lo, hi) => lo + Math.floor(random() * (hi - lo + 1));
function userAgent(machine) {
  const r = random();
  if (machine || r < 0.08) return pick(['Go-http-client/2.0', `node-fetch/${between(1, 3)}.${between(0, 6)}.${between(0, 12)}`, `python-requests/2.${between(20, 31)}.${between(0, 3)}`, `okhttp/4.${between(7, 12)}.${between(0, 3)}`, `axios/1.${between(0, 7)}.${between(0, 9)}`, `Auth0-Java/2.${between(0, 10)}.0`]);
  if (r < 0.75) return `${pick(BROWSERS)} ${between(100, 122)}.0.${between(0, 6200)} / ${pick(OSES)}`;
  const chrome = `${between(100, 122)}.0.${between(4000, 6200)}.${between(0, 230)}`;
  const raw = [
    `Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${chrome} Safari/537.36`,
    `Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.${between(0, 3)} Safari/605.1.15`,
    `Mozilla/5.0 (iPhone; CPU iPhone OS 17_${between(0, 3)}_${between(0, 2)} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.${between(0, 3)} Mobile/15E148 Safari/604.1`,
    `Mozilla/5.0 (Linux; Android ${between(10, 14)}; ${pick(PHONES)}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${chrome} Mobile Safari/537.36`,
    `Mozilla/5.0 (X11; Linux x86_64; rv:${between(110, 122)}.0) Gecko/20100101 Firefox/${between(110, 122)}.0`,
  ];
  return pick(raw);
}
const DESCRIPTIONS = {
  seccft: ['Client Credentials for Access Token'],
  feccft: ['Unauthorized', 'Client is not authorized to access "%a". You need to create a "client-grant" associated to this API.', 'Client quota exceeded'],
  sertft: ['Refresh Token for Access Token'],
  fertft: ['Unknown or invalid refresh token.'],
  seacft: ['Authorization Code for Access Token'],
  sepft: ['Password for Access Token'],
  f: ['Wrong email or password.', 'Invalid credentials', 'You must verify your email before logging in.'],
  fp: ['Wrong email or password.', 'Wrong password.'],
  fu: ['Wrong email or password.', 'Invalid user: %u'],
  fcoa: ['Cross-origin authentication failed for %u'],
  fs: ['The user already exists.', 'PasswordStrengthError: Password is too weak', 'Invalid sign up: %u'],
  pwd_leak: ['Blocked login of %u: password found in a breach'],
  signup_pwd_leak: ['Blocked signup of %u: password found in a breach'],
  limit_wc: ['Too many failed login attempts from this IP'],
  w: ['Rule "add-roles" took longer than 5000 ms', 'Legacy login flow is deprecated for %u'],
  depnote: ['Legacy Lock API: This feature is being deprecated.'],
  mgmt_api_read: ['Get users by email', 'Get a user', 'Get all clients', 'Get logs'],
};
function description(type, machine, user, audience) {
  const list = DESCRIPTIONS[type];
  if (!list) return type.startsWith('s') && random() < 0.7 ? '' : 'Successful login';
  return pick(list).replace('%u', user ? `${user.slice(6, 14)}@example.com` : 'unknown').replace('%a', audience ?? '');
}
function ipv6() {
  const group = () => Math.floor(random() * 65536).toString(16);
  return `2${Math.floor(random() * 16).toString(16)}${Math.floor(random() * 256).toString(16).padStart(2, '0')}:${group()}:${group()}:${group()}:${group()}:${group()}:${group()}:${group()}`;
}

const truth = {};
// Across the whole run: how varied the values written were (what the string caches of a reader are up against).
const distinct = { user_id: new Set(), client_id: new Set(), audience: new Set(), user_agent: new Set(), description: new Set() };
let ipv6Records = 0;
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
  const user = machine ? '' : tenant.pickUser ? tenant.pickUser() : pick(tenant.users);
  const city = pick(CITIES);
  const date = new Date(ms).toISOString();
  const digits = date.replace(/\D/g, '').slice(0, 17);
  const logId = `900${digits}${String(++serial).padStart(36, '0')}`.slice(0, 56);
  const record = {
    date,
    type,
    description: argv.realisticText ? description(type, machine, user, client.audience) : machine ? 'Client Credentials for Access Token' : type.startsWith('f') ? 'Wrong email or password.' : '',
    connection: machine ? undefined : 'Username-Password-Authentication',
    connection_id: machine ? '' : `con_${alnum(16)}`,
    client_id: client.id,
    client_name: client.name,
    ip: argv.ipv6 > 0 && random() < argv.ipv6 ? ipv6() : `${Math.floor(random() * 223) + 1}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}`,
    client_ip: machine ? null : undefined,
    user_agent: argv.realisticText ? userAgent(machine) : pick(AGENTS),
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
  // Drawn only when asked for, so that the defaults write the same files as before.
  if (argv.longShare > 0 && random() < argv.longShare) record.details.request = { method: 'post', body: 'x'.repeat(argv.longBytes) };
  tally(tenant.name, date.slice(0, 10), type, user, record.audience ?? '');
  if (argv.truth) {
    if (user) distinct.user_id.add(user);
    distinct.client_id.add(record.client_id);
    if (record.audience) distinct.audience.add(record.audience);
    distinct.user_agent.add(record.user_agent);
    distinct.description.add(record.description);
    if (record.ip.includes(':')) ipv6Records++;
  }
  return record;
}

function wrap(record) {
  if (argv.format === 'firehose') {
    return { version: '0', id: `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`, 'detail-type': 'Auth0 log', source: `aws.partner/auth0.com/${record.tenant_name}-${hex(8)}/auth0.logs`, account: '123456789012', time: record.date.slice(0, 19) + 'Z', region: 'eu-west-1', resources: [], detail: { log_id: record.log_id, data: record } };
  }
  if (argv.format === 'webhook') return { log_id: record.log_id, data: record };
  return record;
}

/** Serializes one file's records in the order they were made (the seeded stream is drawn from in that order), then
 *  places them as --order says. */
function serialize(records) {
  const items = records.map((record) => ({ hour: Math.floor(Date.parse(record.date) / 3600000), text: JSON.stringify(wrap(record)) }));
  if (argv.order === 'hour') {
    // Records are made in time order, so each hour is one run of the list.
    for (let from = 0; from < items.length; ) {
      let to = from + 1;
      while (to < items.length && items[to].hour === items[from].hour) to++;
      shuffle(items, from, to);
      from = to;
    }
  }
  return items.map((item) => item.text);
}

async function writeFile(file, texts) {
  const out = fs.createWriteStream(file);
  const sink = argv.gzip ? zlib.createGzip({ level: argv.level }) : null;
  if (sink) sink.pipe(out);
  const target = sink ?? out;
  const sep = argv.format === 'firehose' ? (argv.delimiter === 'newline' ? '\n' : '') : argv.format === 'array' ? ',\n' : '\n';
  if (argv.format === 'array') target.write('[\n');
  let first = true;
  for (const json of texts) {
    const text = (first || argv.format !== 'array' ? '' : sep) + json + (argv.format === 'array' ? '' : sep);
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
  const oneArchive = argv.oneArchive || argv.order === 'random';
  const filesPerDay = oneArchive ? 1 : argv['files-per-day'];
  const perFile = Math.ceil(argv.records / filesPerDay);
  const all = [];
  let written = 0;
  for (let d = 0; d < argv.days; d++) {
    const dayStart = start + d * dayMs;
    const times = Array.from({ length: argv.records }, () => dayStart + Math.floor(random() * dayMs)).sort((a, b) => a - b);
    for (let f = 0; f < filesPerDay; f++) {
      const records = [];
      for (const ms of times.slice(f * perFile, (f + 1) * perFile)) {
        const record = makeRecord(pick(tenants), ms);
        records.push(record);
        if (random() < argv.duplicates) records.push(record); // at-least-once delivery repeats records verbatim
      }
      const texts = serialize(records);
      written += texts.length;
      if (oneArchive) {
        for (const text of texts) all.push(text);
        continue;
      }
      const iso = new Date(dayStart).toISOString();
      const dir = path.join(argv.out, iso.slice(0, 4), iso.slice(5, 7), iso.slice(8, 10));
      fs.mkdirSync(dir, { recursive: true });
      const file = path.join(dir, `auth0-logs-${argv.seed}-${iso.slice(0, 10)}-${String(f).padStart(3, '0')}${argv.gzip ? '.gz' : ''}`);
      await writeFile(file, texts);
    }
  }
  if (oneArchive) {
    if (argv.order === 'random') shuffle(all);
    fs.mkdirSync(path.join(argv.out, 'all'), { recursive: true });
    await writeFile(path.join(argv.out, 'all', `auth0-logs-${argv.seed}-all${argv.gzip ? '.gz' : ''}`), all);
  }
  if (argv.truth) {
    const rows = Object.values(truth).map((t) => ({ ...t, users: t.users.size })).sort((a, b) => (a.tenant + a.day).localeCompare(b.tenant + b.day));
    const cardinality = { ...Object.fromEntries(Object.entries(distinct).map(([field, set]) => [field, set.size])), ipv6_records: ipv6Records };
    fs.writeFileSync(argv.truth, JSON.stringify({ seed: argv.seed, unique: serial, written, cardinality, days: rows }, null, 1));
  }
  process.stderr.write(`wrote ${written} records (${serial} unique) to ${argv.out}\n`);
}

main().catch((err) => {
  process.stderr.write(`generate-archives: ${err.message}\n`);
  process.exitCode = 1;
});
