import { createHash, randomBytes } from 'node:crypto';
import fs, { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { socketPoolSize } from '../../../src/aws/s3Client';
import { S3StateStorage, type S3StateOptions } from '../../../src/state/s3StateStorage';
import { StateIoError } from '../../../src/state/stateErrors';
import { fixtureClient, startS3Server, type S3TestServer } from '../../support/s3Server';
import { putObjects } from '../../support/s3Fixtures';
import { startCuttingProxy, type CuttingProxy } from '../../support/cuttingProxy';
import { ManualTimers } from '../../support/manualTimers';
import { rejectionOf } from '../../support/rejectionOf';
import { until } from '../../support/until';
import { createLogger } from '../../../src/support/logger';

// What the state's S3 storage does with names, local copies and conditional writes, against real HTTP.
let server: S3TestServer;
beforeAll(async () => {
  server = await startS3Server({ buckets: ['usage-state'] });
}, 60_000);
afterAll(() => server.stop());

/** A real JSON logger whose lines the test reads back. */
function warnings(): { logger: S3StateOptions['logger']; lines(): Array<Record<string, unknown>>; text(): string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString('utf8');
      done();
    },
  });
  const logger = createLogger({ stream, format: 'json', level: 'warn' });
  return { logger, text: () => text, lines: () => text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>) };
}

/** The ETag S3 gives an object put whole: the MD5 of its bytes, in quotes (the version readVersioned returns). */
function etagOf(body: Buffer): string {
  return `"${createHash('md5').update(body).digest('hex')}"`;
}

function openStorage(url: string, endpoint = server.endpoint, extra: S3StateOptions = {}): S3StateStorage {
  return new S3StateStorage(url, {
    endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    ...extra,
  });
}

test('list(): the names under the prefix (given without its slash), not a sibling prefix\'s keys nor folder markers', async () => {
  const client = fixtureClient(server);
  await putObjects(client, 'usage-state', [
    { key: 'nightly/', body: '' }, // the console's "folder" of the prefix itself
    { key: 'nightly/days/', body: '' }, // and of a folder inside it
    { key: 'nightly/manifest.json', body: '{}' },
    { key: 'nightly/days/acme/2024-03-01.1-abc.agg.json', body: '{}' },
    { key: 'nightly-old/manifest.json', body: '{}' }, // another state beside it, sharing the prefix's letters
  ]);
  client.destroy();
  const storage = openStorage('s3://usage-state/nightly');
  try {
    expect(storage.location).toBe('s3://usage-state/nightly/');
    expect(await storage.list()).toEqual(['days/acme/2024-03-01.1-abc.agg.json', 'manifest.json']);
  } finally {
    await storage.close();
  }
});

test('publish() uploads the staged file\'s bytes and removes the local file; close() removes the local copies', async () => {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-s3publish-'));
  const storage = openStorage('s3://usage-state/publish/');
  try {
    const staged = path.join(scratch, 'commit-1.agg.json');
    writeFileSync(staged, '{"tenant":"acme"}');
    await storage.publish([{ localFile: staged, name: 'days/acme/2024-03-01.1-abc.agg.json' }]);
    expect(existsSync(staged)).toBe(false);
    expect((await storage.read('days/acme/2024-03-01.1-abc.agg.json'))!.toString()).toBe('{"tenant":"acme"}');

    await storage.fetchLocal(['days/acme/2024-03-01.1-abc.agg.json']);
    const copy = storage.localPath('days/acme/2024-03-01.1-abc.agg.json')!;
    expect(existsSync(copy)).toBe(true);
    expect(storage.localPath('manifest.json')).toBeUndefined();
  } finally {
    await storage.close();
    rmSync(scratch, { recursive: true, force: true });
  }
  // The local copy's folder (os.tmpdir()/auth0-usage-state-…) goes with the storage: nothing is left behind.
  expect(existsSync(path.dirname(storage.scratchDir('any')))).toBe(false);
});

test('an endpoint that is no S3 store (a plain-text 404): the state says so, as the input side does, not the SDK\'s hidden field', async () => {
  const web = http.createServer((_req, res) => {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('404 page not found');
  });
  await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
  const storage = openStorage('s3://usage-state/elsewhere/', endpoint);
  try {
    // A read takes a 404 for a missing file; the listing every run and `status` make first is what meets it.
    const err = await rejectionOf<StateIoError>(storage.list());
    expect(err).toBeInstanceOf(StateIoError);
    expect(err.message).toBe(`the reply of ${endpoint} for s3://usage-state/elsewhere/ is not an S3 reply (HTTP 404): check that --s3-endpoint / AWS_ENDPOINT_URL_S3 is the S3 store`);
  } finally {
    await storage.close();
    web.close();
  }
});

test('fetchLocal(): a file the manifest names but the bucket lacks: the state is incomplete, and the line says how to get past it', async () => {
  const storage = openStorage('s3://usage-state/incomplete/');
  try {
    const err = await rejectionOf<Error>(storage.fetchLocal(['days/acme/2024-03-01.1-abc.ids']));
    expect(err.message).toBe('the state s3://usage-state/incomplete/ is incomplete: days/acme/2024-03-01.1-abc.ids is missing: restore the state from a backup, or build a new state with a backfill');
    expect((err as { code?: string }).code).toBe('ERR_STATE');
  } finally {
    await storage.close();
  }
});

test('publish(): a staged file that cannot be read fails as the state\'s I/O, naming the object it was for, and uploads nothing', async () => {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-s3publish-'));
  const storage = openStorage('s3://usage-state/unreadable/');
  try {
    // Gone before its upload (found by the size taken first), and one that is there but cannot be read.
    const gone = path.join(scratch, 'commit-1.agg.json');
    const folder = path.join(scratch, 'commit-2.agg.json');
    mkdirSync(folder);
    for (const [localFile, code] of [[gone, 'ENOENT'], [folder, 'EISDIR']]) {
      const err = await rejectionOf<StateIoError>(storage.publish([{ localFile, name: 'days/acme/2024-03-01.1-abc.agg.json' }]));
      expect(err).toBeInstanceOf(StateIoError);
      expect(err.code).toBe('ERR_STATE_IO');
      expect(err.message).toBe(`cannot move ${localFile} to s3://usage-state/unreadable/days/acme/2024-03-01.1-abc.agg.json: ${code}`);
    }
    expect(await storage.list()).toEqual([]);
  } finally {
    await storage.close();
    rmSync(scratch, { recursive: true, force: true });
  }
});

test('publish(): a staged file that cannot be removed after its upload is said in a warning; the upload stands and publish() succeeds', async () => {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-s3publish-'));
  const proxy = await startCuttingProxy({ host: '127.0.0.1', port: server.port });
  const log = warnings();
  const storage = openStorage('s3://usage-state/unremovable/', proxy.endpoint, { logger: log.logger });
  const staging = path.join(scratch, 'staging');
  const staged = path.join(staging, 'commit-1.agg.json');
  const name = 'days/acme/2024-03-01.1-abc.agg.json';
  try {
    mkdirSync(staging);
    writeFileSync(staged, '{"tenant":"acme"}');
    // Once its bytes are read and on their way (the PUT arrives), the staged file's folder becomes a file: its removal
    // then fails (ENOTDIR) as a denied one does, root or not, where a chmod would not stop root.
    proxy.sabotage({
      match: (r) => {
        if (r.method === 'PUT' && existsSync(staged)) {
          fs.renameSync(staging, `${staging}.moved`);
          writeFileSync(staging, 'not a folder');
        }
        return false;
      },
      action: { kind: 'reset' },
    });
    await storage.publish([{ localFile: staged, name }]);
    proxy.sabotage(undefined);
    expect((await storage.read(name))!.toString()).toBe('{"tenant":"acme"}');
    expect(log.lines()).toEqual([
      expect.objectContaining({
        level: 'warn',
        msg: 'could not remove a staged state file after its upload',
        file: staged,
        object: `s3://usage-state/unremovable/${name}`,
        err: 'ENOTDIR',
      }),
    ]);
  } finally {
    await storage.close();
    await proxy.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
});

/** The files under the storage's folder of local copies, with their sizes (none before the first copy). */
function localCopies(storage: S3StateStorage): Map<string, number> {
  const cache = path.join(path.dirname(storage.scratchDir('any')), 'cache');
  const files = new Map<string, number>();
  if (!existsSync(cache)) return files;
  for (const name of readdirSync(cache, { recursive: true, encoding: 'utf8' })) {
    const stat = statSync(path.join(cache, name));
    if (stat.isFile()) files.set(name, stat.size);
  }
  return files;
}

/** After a failed fetch of `name`: no copy of it, not even a partial one under another name; then a fetch gets it whole. */
async function expectNoCopyThenWhole(storage: S3StateStorage, name: string, body: Buffer): Promise<void> {
  expect(storage.localPath(name)).toBeUndefined();
  expect(localCopies(storage)).toEqual(new Map());
  await storage.fetchLocal([name]);
  expect(readFileSync(storage.localPath(name)!)).toEqual(body);
}

test('fetchLocal(): copies of 0 bytes to 40 MiB come out byte for byte, more of them than are fetched at once', async () => {
  const sizes = [0, 1, 65_537, 40 << 20, 3 << 20, 17, 5 << 20, 1 << 20, 2 << 20, 12_345];
  const objects = sizes.map((size, i) => ({ name: `days/acme/2024-03-${String(i + 1).padStart(2, '0')}.1-abc.ids`, body: randomBytes(size) }));
  await server.seed('usage-state', objects.map(({ name, body }) => ({ key: `exact/${name}`, body })));
  const storage = openStorage('s3://usage-state/exact/');
  try {
    await storage.fetchLocal(objects.map((o) => o.name));
    for (const { name, body } of objects) expect(readFileSync(storage.localPath(name)!)).toEqual(body);
    // Only the whole copies: no temporary file is left beside them.
    expect(localCopies(storage).size).toBe(objects.length);
  } finally {
    await storage.close();
  }
}, 60_000);

test('fetchLocal(): a body cut off part-way, each time it is read, is written as it comes, then leaves no copy, and fails as a read of it after 3 re-reads', async () => {
  const name = 'days/acme/2024-03-01.1-abc.ids';
  const body = randomBytes(24 << 20);
  await server.seed('usage-state', [{ key: `cut/${name}`, body }]);
  const proxy = await startCuttingProxy({ host: '127.0.0.1', port: server.port });
  const log = warnings();
  const storage = openStorage('s3://usage-state/cut/', proxy.endpoint, { logger: log.logger });
  const onDisk = () => [...localCopies(storage).values()].reduce((sum, size) => sum + size, 0);
  const onDiskBeforeCuts: number[] = [];
  try {
    proxy.sabotage({
      match: (r) => r.method === 'GET',
      action: { kind: 'cut', afterBytes: 8 << 20 },
      times: 4,
      // Streamed, most of what was sent is on disk while the rest is still to come; read whole, none of it is.
      async beforeSpoiling() {
        for (let i = 0; i < 300 && onDisk() < 4 << 20; i++) await new Promise((resolve) => setTimeout(resolve, 10));
        onDiskBeforeCuts.push(onDisk());
      },
    });
    const err = await rejectionOf(storage.fetchLocal([name]));
    expect(err).toBeInstanceOf(StateIoError);
    expect(err.message).toBe(`reading s3://usage-state/cut/${name} failed: ECONNRESET`);
    expect(proxy.spoiled).toBe(4);
    expect(onDiskBeforeCuts).toHaveLength(4);
    for (const bytes of onDiskBeforeCuts) expect(bytes).toBeGreaterThanOrEqual(4 << 20);
    expect(log.lines().map(({ level, msg, object, attempt, err }) => ({ level, msg, object, attempt, err }))).toEqual(
      [1, 2, 3].map((attempt) => ({ level: 'warn', msg: 're-reading state file from the start', object: `s3://usage-state/cut/${name}`, attempt, err: `reading s3://usage-state/cut/${name} failed: ECONNRESET` })),
    );
    // Nothing a later read could take for the whole file.
    await expectNoCopyThenWhole(storage, name, body);
  } finally {
    await storage.close();
    await proxy.stop();
  }
}, 60_000);

test('fetchLocal(): a body cut off part-way once is read again from the start, and the copy is whole', async () => {
  const name = 'days/acme/2024-03-01.1-abc.ids';
  const body = randomBytes(3 << 20);
  await server.seed('usage-state', [{ key: `cut-once/${name}`, body }]);
  const proxy = await startCuttingProxy({ host: '127.0.0.1', port: server.port });
  const log = warnings();
  const storage = openStorage('s3://usage-state/cut-once/', proxy.endpoint, { logger: log.logger });
  try {
    proxy.sabotage({ match: (r) => r.method === 'GET', action: { kind: 'cut', afterBytes: 1 << 20 }, times: 1 });
    await storage.fetchLocal([name]);
    expect(proxy.spoiled).toBe(1);
    expect(proxy.requests.filter((r) => r.method === 'GET')).toHaveLength(2);
    expect(readFileSync(storage.localPath(name)!)).toEqual(body);
    // The copy alone: no temporary file of the broken attempt beside it.
    expect([...localCopies(storage).keys()]).toEqual([name]);
    expect(log.lines()).toMatchObject([{ level: 'warn', msg: 're-reading state file from the start', object: `s3://usage-state/cut-once/${name}`, attempt: 1 }]);
  } finally {
    await storage.close();
    await proxy.stop();
  }
});

/** `times` GETs that send their first MiB, then nothing, the connection kept open; `stalls()`: how many have sent their MiB. */
function stallAfterOneMiB(proxy: CuttingProxy, times = 1): { stalls(): number } {
  let stalls = 0;
  proxy.sabotage({
    match: (r) => r.method === 'GET',
    action: { kind: 'stall', afterBytes: 1 << 20 },
    times,
    async beforeSpoiling() {
      stalls++;
    },
  });
  return { stalls: () => stalls };
}

/** Calls the stall of each of the `times` stalled bodies, one after the other, as each stands with its stall clock running. */
async function stallEach(timers: ManualTimers, stalls: () => number, times: number, ready: () => boolean = () => true): Promise<void> {
  for (let stall = 1; stall <= times; stall++) {
    await until(() => stalls() === stall && timers.pending === 1 && ready(), `stalled body ${stall} with its stall clock running`);
    timers.fireAll();
  }
}

test('read() and readVersioned(): a body that stops part-way is read again 3 times, each said, then fails as a read of it at the stall timeout, its sockets freed; the next read gets it whole', async () => {
  const body = randomBytes(3 << 20);
  await server.seed('usage-state', [{ key: 'stalled-read/manifest.json', body }]);
  const proxy = await startCuttingProxy({ host: '127.0.0.1', port: server.port });
  // The stall is the test's to call (ManualTimers); one object at once gives a pool of socketPoolSize(1) sockets,
  // fewer than the stalls below, so a socket kept by a stalled body would leave a later read waiting for one.
  const timers = new ManualTimers();
  const log = warnings();
  const storage = openStorage('s3://usage-state/stalled-read/', proxy.endpoint, { stallSeconds: 2, concurrency: 1, timers, logger: log.logger });
  const failed = 'reading s3://usage-state/stalled-read/manifest.json failed: no data from its body within the stall timeout (2 s)';
  try {
    // Two reads of four attempts each: more stalled bodies than sockets.
    expect(2 * 4).toBeGreaterThan(socketPoolSize(1));
    for (const read of [() => storage.read('manifest.json'), () => storage.readVersioned('manifest.json')]) {
      const { stalls } = stallAfterOneMiB(proxy, 4);
      const failure = rejectionOf<StateIoError>(read());
      await stallEach(timers, stalls, 4);
      const err = await failure;
      expect(err).toBeInstanceOf(StateIoError);
      expect(err.code).toBe('ERR_STATE_IO');
      expect(err.message).toBe(failed);
    }
    expect(proxy.spoiled).toBe(8);
    const warned = [1, 2, 3].map((attempt) => ({ level: 'warn', msg: 're-reading state file from the start', object: 's3://usage-state/stalled-read/manifest.json', attempt, err: failed }));
    expect(log.lines().map(({ level, msg, object, attempt, err }) => ({ level, msg, object, attempt, err }))).toEqual([...warned, ...warned]);
    expect(log.text()).not.toContain(server.secretAccessKey);

    expect(await storage.read('manifest.json')).toEqual(body);
    expect(await storage.readVersioned('manifest.json')).toEqual({ data: body, version: etagOf(body) });
    expect(timers.pending).toBe(0);
  } finally {
    await storage.close();
    await proxy.stop();
  }
}, 30_000);

test('read() and readVersioned(): a body that stalls 3 times comes whole on the 4th read', async () => {
  const body = randomBytes(3 << 20);
  await server.seed('usage-state', [{ key: 'stalled-thrice/lock.json', body }]);
  const proxy = await startCuttingProxy({ host: '127.0.0.1', port: server.port });
  const timers = new ManualTimers();
  const log = warnings();
  const storage = openStorage('s3://usage-state/stalled-thrice/', proxy.endpoint, { stallSeconds: 2, concurrency: 1, timers, logger: log.logger });
  try {
    let { stalls } = stallAfterOneMiB(proxy, 3);
    const read = storage.read('lock.json');
    await stallEach(timers, stalls, 3);
    expect(await read).toEqual(body);
    ({ stalls } = stallAfterOneMiB(proxy, 3));
    const versioned = storage.readVersioned('lock.json');
    await stallEach(timers, stalls, 3);
    expect(await versioned).toEqual({ data: body, version: etagOf(body) });
    expect(proxy.spoiled).toBe(6);
    expect(log.lines().map((line) => line.attempt)).toEqual([1, 2, 3, 1, 2, 3]);
    expect(timers.pending).toBe(0);
  } finally {
    await storage.close();
    await proxy.stop();
  }
}, 30_000);

test('read(): a GET refused (403 AccessDenied) or a key missing is not read again, and nothing is warned', async () => {
  const proxy = await startCuttingProxy({ host: '127.0.0.1', port: server.port });
  const log = warnings();
  const storage = openStorage('s3://usage-state/refused/', proxy.endpoint, { logger: log.logger });
  try {
    proxy.sabotage({ match: (r) => r.method === 'GET', action: { kind: 'fail', status: 403, code: 'AccessDenied' } });
    const err = await rejectionOf(storage.read('manifest.json'));
    expect(err).toBeInstanceOf(StateIoError);
    expect(err.message).toBe('reading s3://usage-state/refused/manifest.json failed: HTTP 403 AccessDenied: spoiled by the test proxy');
    expect(proxy.requests).toHaveLength(1);
    proxy.sabotage(undefined);
    expect(await storage.read('manifest.json')).toBeUndefined();
    expect(proxy.requests).toHaveLength(2);
    expect(log.lines()).toEqual([]);
  } finally {
    await storage.close();
    await proxy.stop();
  }
});

test('read(): a GET never answered fails after the SDK\'s attempts, saying the endpoint and the stall timeout\'s seconds, and is not read again', async () => {
  const proxy = await startCuttingProxy({ host: '127.0.0.1', port: server.port });
  const log = warnings();
  // The wait for response headers is the SDK's own timer (requestTimeout), which cannot be injected: a GET the
  // proxy never answers times out on real time, here 0.5 s; nothing races it.
  const storage = openStorage('s3://usage-state/unanswered/', proxy.endpoint, { stallSeconds: 0.5, logger: log.logger });
  try {
    proxy.sabotage({ match: (r) => r.method === 'GET', action: { kind: 'hang' } });
    const err = await rejectionOf(storage.read('manifest.json'));
    expect(err).toBeInstanceOf(StateIoError);
    expect(err.message).toBe(`reading s3://usage-state/unanswered/manifest.json failed: no response from ${proxy.endpoint} within the stall timeout (0.5 s)`);
    // The SDK's three attempts; no headers, so no body to read again.
    expect(proxy.spoiled).toBe(3);
    expect(log.lines()).toEqual([]);
  } finally {
    await storage.close();
    await proxy.stop();
  }
}, 30_000);

test('fetchLocal(): a body that stops part-way, each time it is read, fails as a read of it after 3 re-reads and leaves no copy; the next fetch gets it whole', async () => {
  const name = 'days/acme/2024-03-01.1-abc.ids';
  const body = randomBytes(3 << 20);
  await server.seed('usage-state', [{ key: `stalled-fetch/${name}`, body }]);
  const proxy = await startCuttingProxy({ host: '127.0.0.1', port: server.port });
  const timers = new ManualTimers();
  const log = warnings();
  const storage = openStorage('s3://usage-state/stalled-fetch/', proxy.endpoint, { stallSeconds: 2, timers, logger: log.logger });
  const onDisk = () => [...localCopies(storage).values()].reduce((sum, size) => sum + size, 0);
  try {
    const { stalls } = stallAfterOneMiB(proxy, 4);
    const failure = rejectionOf<StateIoError>(storage.fetchLocal([name]));
    // Mid-body each time: the MiB sent is in the temporary copy (that of the attempt before is gone), and the stall clock runs for the rest.
    await stallEach(timers, stalls, 4, () => onDisk() === 1 << 20);
    const err = await failure;
    expect(err).toBeInstanceOf(StateIoError);
    expect(err.code).toBe('ERR_STATE_IO');
    expect(err.message).toBe(`reading s3://usage-state/stalled-fetch/${name} failed: no data from its body within the stall timeout (2 s)`);
    expect(log.lines().map((line) => [line.object, line.attempt])).toEqual([1, 2, 3].map((attempt) => [`s3://usage-state/stalled-fetch/${name}`, attempt]));
    await expectNoCopyThenWhole(storage, name, body);
  } finally {
    await storage.close();
    await proxy.stop();
  }
}, 30_000);

test('fetchLocal(): a local copy that cannot be written is said to be one, not a failed read', async () => {
  const names = ['days/acme/2024-03-01.1-abc.ids', 'days/acme/2024-03-02.1-abc.ids'];
  await server.seed('usage-state', names.map((name) => ({ key: `unwritable/${name}`, body: randomBytes(1 << 20) })));
  const storage = openStorage('s3://usage-state/unwritable/');
  const cache = path.join(path.dirname(storage.scratchDir('any')), 'cache');
  try {
    // A folder where the copy goes, and one where its bytes are written first (the temporary name beside it).
    mkdirSync(path.join(cache, names[0]), { recursive: true });
    const copyErr = await rejectionOf(storage.fetchLocal([names[0]]));
    expect(copyErr).toBeInstanceOf(StateIoError);
    expect(copyErr.message).toBe(`cannot write the local copy ${path.join(cache, names[0])} of s3://usage-state/unwritable/${names[0]}: EISDIR`);
    mkdirSync(path.join(cache, `${names[1]}.part`), { recursive: true });
    const partErr = await rejectionOf(storage.fetchLocal([names[1]]));
    expect(partErr).toBeInstanceOf(StateIoError);
    expect(partErr.message).toBe(`cannot write the local copy ${path.join(cache, names[1])} of s3://usage-state/unwritable/${names[1]}: EISDIR`);
    expect(storage.localPath(names[0])).toBeUndefined();
    expect(storage.localPath(names[1])).toBeUndefined();
  } finally {
    await storage.close();
  }
});

test('fetchLocal(): a local disk that fills up once the whole body is in is said to be the local copy\'s failure, not a read', async () => {
  const name = 'days/acme/2024-03-01.1-abc.ids';
  await server.seed('usage-state', [{ key: `full/${name}`, body: randomBytes(4096) }]);
  const storage = openStorage('s3://usage-state/full/');
  const cache = path.join(path.dirname(storage.scratchDir('any')), 'cache');
  // A full disk answers the copy's writes a moment later, as a slow one does: by then the small body is all in.
  const enospc = (callback: unknown) =>
    setTimeout(() => (callback as (err: Error) => void)(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' })), 50);
  const write = jest.spyOn(fs, 'write').mockImplementation(((...args: unknown[]) => enospc(args[args.length - 1])) as never);
  const writev = jest.spyOn(fs, 'writev').mockImplementation(((...args: unknown[]) => enospc(args[args.length - 1])) as never);
  try {
    const err = await rejectionOf(storage.fetchLocal([name]));
    expect(err).toBeInstanceOf(StateIoError);
    expect(err.message).toBe(`cannot write the local copy ${path.join(cache, name)} of s3://usage-state/full/${name}: ENOSPC`);
    expect(storage.localPath(name)).toBeUndefined();
  } finally {
    write.mockRestore();
    writev.mockRestore();
    await storage.close();
  }
});

/**
 * A loopback endpoint that honours If-None-Match: * and If-Match on PUT as AWS S3 does (s3rver ignores both):
 * 412 PreconditionFailed when the condition does not hold, 404 NoSuchKey for If-Match on a missing key.
 */
async function startConditionalS3(): Promise<{ endpoint: string; puts: Array<Record<string, string | undefined>>; stop(): Promise<void> }> {
  const objects = new Map<string, Buffer>();
  const puts: Array<Record<string, string | undefined>> = [];
  const fail = (res: http.ServerResponse, status: number, code: string) => {
    res.writeHead(status, { 'content-type': 'application/xml' });
    res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${code}</Message></Error>`);
  };
  const httpServer = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const key = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
      const current = objects.get(key);
      if (req.method === 'GET') {
        if (current === undefined) return fail(res, 404, 'NoSuchKey');
        res.writeHead(200, { etag: etagOf(current), 'content-length': current.length, 'content-type': 'application/octet-stream' });
        return res.end(current);
      }
      if (req.method !== 'PUT') return fail(res, 501, 'NotImplemented');
      const ifNoneMatch = req.headers['if-none-match'] as string | undefined;
      const ifMatch = req.headers['if-match'] as string | undefined;
      puts.push({ key, ifNoneMatch, ifMatch });
      if (ifNoneMatch === '*' && current !== undefined) return fail(res, 412, 'PreconditionFailed');
      if (ifMatch !== undefined && current === undefined) return fail(res, 404, 'NoSuchKey');
      if (ifMatch !== undefined && ifMatch !== etagOf(current!)) return fail(res, 412, 'PreconditionFailed');
      const body = Buffer.concat(chunks);
      objects.set(key, body);
      res.writeHead(200, { etag: etagOf(body) });
      res.end();
    });
  });
  httpServer.listen(0, '127.0.0.1');
  await new Promise((resolve) => httpServer.once('listening', resolve));
  const { port } = httpServer.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    puts,
    stop: () => new Promise<void>((resolve) => httpServer.close(() => resolve())),
  };
}

test('create() and replace() send S3\'s conditions and report a condition that did not hold as false, the object untouched', async () => {
  const s3 = await startConditionalS3();
  const storage = openStorage('s3://usage-state/locks/', s3.endpoint);
  try {
    expect(await storage.create('lock.json', Buffer.from('first'))).toBe(true);
    expect(await storage.create('lock.json', Buffer.from('second'))).toBe(false); // another run's lock: 412
    expect((await storage.read('lock.json'))!.toString()).toBe('first');

    const seen = (await storage.readVersioned('lock.json'))!;
    // The ETag of "first": its MD5, quoted.
    expect(seen).toEqual({ data: Buffer.from('first'), version: '"8b04d5e3775d298e78455efc5ca404d5"' });
    expect(await storage.replace('lock.json', Buffer.from('third'), seen.version)).toBe(true);
    expect(await storage.replace('lock.json', Buffer.from('fourth'), seen.version)).toBe(false); // changed since: 412
    expect((await storage.read('lock.json'))!.toString()).toBe('third');
    expect(await storage.replace('gone.json', Buffer.from('x'), seen.version)).toBe(false); // removed since: 404

    expect(s3.puts).toEqual([
      { key: '/usage-state/locks/lock.json', ifNoneMatch: '*', ifMatch: undefined },
      { key: '/usage-state/locks/lock.json', ifNoneMatch: '*', ifMatch: undefined },
      { key: '/usage-state/locks/lock.json', ifNoneMatch: undefined, ifMatch: seen.version },
      { key: '/usage-state/locks/lock.json', ifNoneMatch: undefined, ifMatch: seen.version },
      { key: '/usage-state/locks/gone.json', ifNoneMatch: undefined, ifMatch: seen.version },
    ]);
  } finally {
    await storage.close();
    await s3.stop();
  }
});
