import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { type DecodeStats, decodeStream } from '../../../src/decode/decodeStream';
import type { LogRecord, QuarantineItem, QuarantineKind } from '../../../src/decode/logRecord';
import { randomChunks, seededRandom } from './archiveGenerator';

const FIXTURES = join(__dirname, '../../../fixtures/formats');

interface Decoded {
  records: LogRecord[];
  quarantine: Array<{ kind: QuarantineKind; item: QuarantineItem }>;
  stats: DecodeStats;
}

async function decode(chunks: Buffer[], source = 'test-object', defaultTenant = 'default'): Promise<Decoded> {
  const records: LogRecord[] = [];
  const quarantine: Decoded['quarantine'] = [];
  const stats = await decodeStream(Readable.from(chunks), { source, defaultTenant }, {
    record: (record) => records.push(record),
    quarantine: (kind, item) => quarantine.push({ kind, item }),
  });
  return { records, quarantine, stats };
}

const fixture = (name: string): Buffer => readFileSync(join(FIXTURES, name));

/** A record with the optional fields empty, as normalize leaves them. */
function rec(fields: Partial<LogRecord> & Pick<LogRecord, 'logId' | 'dateMs' | 'type' | 'tenant'>): LogRecord {
  return { hostname: '', clientId: '', clientName: '', audience: '', userId: '', ...fields };
}

describe('decodeStream on fixtures/formats', () => {
  it('matches the hand-counted table in fixtures/formats/README.md, for every fixture', async () => {
    const readme = readFileSync(join(FIXTURES, 'README.md'), 'utf8');
    const rows = [...readme.matchAll(/^\| `([^`]+)` \|[^|]+\| (\d+) \| (\d+) \| (\d+) \|$/gm)];
    const files = readdirSync(FIXTURES).filter((f) => f !== 'README.md').sort();
    expect(rows.map((r) => r[1]).sort()).toEqual(files);
    for (const [, file, records, malformed, rejected] of rows) {
      const { stats } = await decode([fixture(file)]);
      expect({ file, ...stats }).toEqual({
        file,
        values: Number(records) + Number(rejected),
        records: Number(records),
        malformed: Number(malformed),
        rejected: Number(rejected),
      });
    }
  });

  it('reads Management API NDJSON: bare records, `_id` fallback, tenant from hostname', async () => {
    const { records, quarantine } = await decode([fixture('management-api.ndjson')]);
    expect(quarantine).toEqual([]);
    expect(records).toEqual([
      rec({
        logId: '90020250805191943071000000000000000001223372036854775001', dateMs: Date.UTC(2025, 7, 5, 19, 19, 43, 71),
        type: 'seccft', tenant: 'acme', hostname: 'acme.eu.auth0.com', clientId: 'm2mClient01', clientName: 'Checkmate',
        audience: 'https://api.acme.example/',
      }),
      rec({
        logId: '90020250508083910862978000000000000001223372036854918178', dateMs: Date.UTC(2025, 4, 8, 8, 39, 10, 838),
        type: 'token_quota_consumption_warning', tenant: 'lozano', hostname: 'xxxxx',
        clientId: 'QAxE5Z8LrvmQ2jxlzzEACeo39hO3xjFV', clientName: 'My_M2M_App',
      }),
      rec({
        logId: '90020230620100000000000000000000000000000000000000000003', dateMs: Date.UTC(2023, 5, 20, 10),
        type: 'slo', tenant: 'sso-demo', hostname: 'sso-demo.us.auth0.com', clientId: 'ssoApp0001',
        clientName: 'SSO Portal', userId: 'auth0|64913f0000000000000000aa',
      }),
    ]);
  });

  it('reads Management API pages: several pretty-printed arrays and an empty one', async () => {
    const { records } = await decode([fixture('management-api-pages.json')]);
    expect(records.map((r) => [r.logId?.slice(-3), r.type, r.clientId])).toEqual([
      ['101', 'seccft', 'm2mClient01'],
      ['102', 's', 'webApp01'],
      ['103', 'fp', 'webApp01'],
    ]);
  });

  it('reads webhook JSON Lines and a webhook JSON array, carrying the outer log_id', async () => {
    const lines = await decode([fixture('webhook.jsonl')]);
    expect(lines.records.map((r) => [r.logId, r.type, r.tenant])).toEqual([
      ['90020211104001514276223441402873466602396154780480176194', 'seacft', 'dev-yoj8axza'],
      ['90020211104001515271334544008635532534914988032684720226', 's', 'dev-yoj8axza'],
      ['90020211104001600000000000000000000000000000000000000003', 'f', 'dev-yoj8axza'],
    ]);
    const array = await decode([fixture('webhook-array.json')]);
    expect(array.records.map((r) => [r.logId?.slice(-3), r.type, r.tenant, r.clientId])).toEqual([
      ['201', 'f', 'demo', 'slackDemo'],
      ['202', 'api_limit', 'demo', 'slackDemo'],
    ]);
  });

  it('reads back-to-back EventBridge events in every envelope variant, plain or gzipped without extension', async () => {
    const expected = [
      rec({
        logId: '80020210116121232560015923748216455316604749397232713763', dateMs: Date.UTC(2021, 0, 16, 12, 12, 30, 147),
        type: 's', tenant: 'thiscovery', hostname: 'thiscovery.eu.auth0.com', clientId: 'WflrpooXWyDv3vzf6LxIzYBd6fafewjw',
        clientName: 'Thiscovery', userId: 'auth0|6012d7eccvf1c41076d8ed3d',
      }),
      rec({
        logId: '80020210116121300000000000000000000000000000000000000002', dateMs: Date.UTC(2021, 0, 16, 12, 12, 58),
        type: 'seccft', tenant: 'thiscovery', hostname: 'thiscovery.eu.auth0.com', clientId: 'batchJob01',
        clientName: 'Batch Job', audience: 'https://api.thiscovery.example/',
      }),
      rec({
        logId: '80020210116121400000000000000000000000000000000000000003', dateMs: Date.UTC(2021, 0, 16, 12, 13, 59, 500),
        type: 'fp', tenant: 'thiscovery', hostname: 'thiscovery.eu.auth0.com', clientId: 'WflrpooXWyDv3vzf6LxIzYBd6fafewjw',
        clientName: 'Thiscovery', userId: 'auth0|6012d7eccvf1c41076d8ed3d',
      }),
    ];
    expect((await decode([fixture('eventbridge-firehose.json')])).records).toEqual(expected);
    const gz = fixture('eventbridge-firehose-gzip');
    expect((await decode([gz])).records).toEqual(expected);
    expect((await decode(randomChunks(seededRandom(9), gz, true))).records).toEqual(expected);
  });

  it('reads a legacy extension object, taking the code from type_code', async () => {
    const { records } = await decode([fixture('extension-archive-object.json')]);
    expect(records).toEqual([
      rec({
        logId: '90020190701093000000000000000000000000000000000000000001', dateMs: Date.UTC(2019, 6, 1, 9, 30),
        type: 'seccft', tenant: 'legacy', hostname: 'legacy.au.auth0.com', clientId: 'legacyM2m01',
        clientName: 'Legacy M2M', audience: 'https://api.legacy.example/',
      }),
    ]);
  });

  it('reads the edge cases: BOM, CRLF, blank line, broken lines and unusable records, with their lines', async () => {
    const bytes = fixture('edge-cases.ndjson');
    const expected: Decoded = {
      records: [
        rec({ logId: '90020240101000000000000000000000000000000000000000000001', dateMs: Date.UTC(2024, 0, 1), type: 's', tenant: 'acme' }),
        rec({
          logId: '90020240101000000000000000000000000000000000000000000003', dateMs: Date.UTC(2024, 0, 1, 0, 0, 2),
          type: 'seccft', tenant: 'edge', hostname: 'edge.eu.auth0.com',
        }),
        rec({ logId: '90020240101000000000000000000000000000000000000000000009', dateMs: Date.UTC(2024, 0, 1, 0, 0, 9), type: 'seccft', tenant: 'default' }),
        rec({ logId: '90020240101000000000000000000000000000000000000000000010', dateMs: Date.UTC(2024, 0, 1, 0, 0, 10), type: 'sapi', tenant: 'default' }),
        rec({ logId: null, dateMs: Date.UTC(2024, 0, 1, 0, 0, 11), type: 's', tenant: 'default' }),
      ],
      quarantine: [
        {
          kind: 'malformed',
          item: {
            source: 'edge', line: 3, reason: "malformed: expected ',' or '}', found '{' at line 4",
            raw: '{"log_id":"90020240101000000000000000000000000000000000000000000002","type":"seccft","date":"2024-01-01T00:00:01.000Z"',
          },
        },
        { kind: 'malformed', item: { source: 'edge', line: 5, reason: "malformed: invalid literal, found 'o' at line 5", raw: 'not json at all' } },
        {
          kind: 'rejected',
          item: { source: 'edge', line: 6, reason: 'rejected: no parseable date', raw: '{"log_id":"90020240101000000000000000000000000000000000000000000006","type":"s"}' },
        },
        {
          kind: 'rejected',
          item: {
            source: 'edge', line: 7, reason: 'rejected: log_id is not a string',
            raw: '{"log_id":90020240101000000000000000000000000000000000000000000007,"type":"s","date":"2024-01-01T00:00:07.000Z"}',
          },
        },
        { kind: 'rejected', item: { source: 'edge', line: 8, reason: 'rejected: not a JSON object', raw: '"just a string"' } },
      ],
      stats: { values: 8, records: 5, malformed: 2, rejected: 3 },
    };
    expect(await decode([bytes], 'edge')).toEqual(expected);
    expect(await decode(randomChunks(seededRandom(4), bytes, true), 'edge')).toEqual(expected);
  });

  it('keeps what a truncated gzip held and quarantines the cut-off rest once', async () => {
    const { records, quarantine } = await decode([fixture('truncated.ndjson.gz')], 'cut.gz');
    expect(records.map((r) => [r.logId?.slice(-4), r.type, r.clientId])).toEqual([
      ['0001', 'seccft', 'c1'],
      ['0002', 'seccft', 'c1'],
    ]);
    expect(quarantine).toEqual([
      {
        kind: 'malformed',
        item: {
          source: 'cut.gz', line: 3, reason: 'malformed: gzip: unexpected end of file',
          raw: '{"log_id":"90020240202000000000000000000000000000000000000000000003","type":"s',
        },
      },
    ]);
  });
});

describe('decodeStream', () => {
  const line = (n: number): string => `{"log_id":"${String(n).padStart(56, '9')}","type":"s","date":"2024-05-0${n}T00:00:00Z"}`;

  it('reads several gzip members as one object', async () => {
    const gz = Buffer.concat([gzipSync(`${line(1)}\n${line(2)}\n`), gzipSync(`${line(3)}\n`)]);
    const { records, stats } = await decode([gz]);
    expect(records.map((r) => r.dateMs)).toEqual([Date.UTC(2024, 4, 1), Date.UTC(2024, 4, 2), Date.UTC(2024, 4, 3)]);
    expect(stats).toEqual({ values: 3, records: 3, malformed: 0, rejected: 0 });
  });

  it('reads gzip members that each start with a BOM (files written with one, joined): every record, none set aside', async () => {
    const bom = '\ufeff';
    const gz = Buffer.concat([gzipSync(`${bom}${line(1)}\n${line(2)}\n`), gzipSync(`${bom}${line(3)}\n`), gzipSync(`${bom}${line(4)}`)]);
    const { records, quarantine, stats } = await decode([gz]);
    expect(records.map((r) => r.dateMs)).toEqual([1, 2, 3, 4].map((day) => Date.UTC(2024, 4, day)));
    expect(quarantine).toEqual([]);
    expect(stats).toEqual({ values: 4, records: 4, malformed: 0, rejected: 0 });
  });

  it('quarantines the records hidden behind zero padding after a gzip member instead of dropping them unseen', async () => {
    const gz = Buffer.concat([gzipSync(`${line(1)}\n${line(2)}\n`), Buffer.alloc(4096), gzipSync(`${line(3)}\n`)]);
    const { records, quarantine, stats } = await decode([gz]);
    expect(records.map((r) => r.dateMs)).toEqual([Date.UTC(2024, 4, 1), Date.UTC(2024, 4, 2)]);
    expect(stats).toEqual({ values: 2, records: 2, malformed: 1, rejected: 0 });
    expect(quarantine).toEqual([
      { kind: 'malformed', item: { source: 'test-object', line: 3, reason: 'malformed: gzip: data after the end of the gzip stream', raw: '' } },
    ]);
  });

  it('reports a gzip cut inside its trailer at the line after the last record', async () => {
    const gz = gzipSync(`${line(1)}\n${line(2)}\n${line(3)}\n`);
    const { records, quarantine } = await decode([gz.subarray(0, gz.length - 3)]);
    expect(records).toHaveLength(3);
    expect(quarantine).toEqual([{ kind: 'malformed', item: { source: 'test-object', line: 4, reason: 'malformed: gzip: unexpected end of file', raw: '' } }]);
  });

  it('quarantines a rejected array element with its own text and line', async () => {
    const { quarantine } = await decode([Buffer.from(`[\n  ${line(1)},\n  {"type": "s"},\n  7\n]`)]);
    expect(quarantine).toEqual([
      { kind: 'rejected', item: { source: 'test-object', line: 3, reason: 'rejected: no parseable date', raw: '{"type": "s"}' } },
      { kind: 'rejected', item: { source: 'test-object', line: 4, reason: 'rejected: not a JSON object', raw: '7' } },
    ]);
  });

  it('cuts the quarantine text of a huge rejected item at 64 KiB', async () => {
    const big = `{"type":"s","pad":"${'x'.repeat(100_000)}"}`;
    const { quarantine } = await decode([Buffer.from(big)]);
    expect(quarantine).toHaveLength(1);
    expect(quarantine[0].item.raw).toBe(big.slice(0, 65536));
  });

  it('rejects when the input stream fails', async () => {
    const failure = new Error('EIO: read failed');
    let sent = false;
    const input = new Readable({
      read() {
        if (sent) return this.destroy(failure);
        sent = true;
        this.push(`${line(1)}\n`);
      },
    });
    const sink = { record: jest.fn(), quarantine: jest.fn() };
    await expect(decodeStream(input, { source: 's', defaultTenant: 'd' }, sink)).rejects.toBe(failure);
    expect(sink.record).toHaveBeenCalledTimes(1);
  });

  it('rejects with the sink\'s error', async () => {
    const failure = new Error('disk full');
    const sink = { record: () => { throw failure; }, quarantine: () => undefined };
    await expect(decodeStream(Readable.from([Buffer.from(`${line(1)}\n`)]), { source: 's', defaultTenant: 'd' }, sink)).rejects.toBe(failure);
  });
});
