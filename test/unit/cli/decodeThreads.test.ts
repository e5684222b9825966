import { availableParallelism } from 'node:os';
import { PassThrough } from 'node:stream';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { decodesOnThisThread, decodeThreadsFrom, decodeThreadsGiven, inputMayBeLarge, SMALL_INPUT_BYTES, threadPoolSizeFor } from '../../../src/cli/decodeThreads';
import { main } from '../../../src/cli/main';
import { closeDecodeWorkers, decodeThreadCount, decodeThreadLimit, decodeThreadsStarted } from '../../../src/decode/decodeWorkerPool';
import { testTempDir } from '../../support/testTempDir';

afterAll(() => closeDecodeWorkers());

describe('decodeThreadsFrom', () => {
  test('--decode-threads when given, else one per core', () => {
    expect(decodeThreadsFrom({ 'decode-threads': 3, 'decode-workers': true }, 64)).toBe(3);
    expect(decodeThreadsFrom({ 'decode-threads': 0, 'decode-workers': true }, 64)).toBe(0);
    expect(decodeThreadsFrom({ 'decode-workers': true }, 64)).toBe(64);
    expect(decodeThreadsFrom({}, 2)).toBe(2);
  });

  test('--no-decode-workers is 0 threads, and contradicts a --decode-threads above 0', () => {
    expect(decodeThreadsFrom({ 'decode-workers': false }, 8)).toBe(0);
    expect(decodeThreadsFrom({ 'decode-workers': false, 'decode-threads': 0 }, 8)).toBe(0);
    expect(() => decodeThreadsFrom({ 'decode-workers': false, 'decode-threads': 2 }, 8)).toThrow(
      '--no-decode-workers and --decode-threads 2 contradict each other: give one of them',
    );
  });
});

describe('decodesOnThisThread', () => {
  const MIB = 1024 * 1024;

  test('the default threads leave an input listed whole under 8 MiB to this thread', () => {
    expect(SMALL_INPUT_BYTES).toBe(8 * MIB);
    expect(decodesOnThisThread(2, false, { bytes: 642_243 })).toBe(true);
    expect(decodesOnThisThread(64, false, { bytes: 8 * MIB - 1 })).toBe(true);
    expect(decodesOnThisThread(2, false, { bytes: 0 })).toBe(true);
    expect(decodesOnThisThread(2, false, { bytes: 8 * MIB })).toBe(false);
  });

  test('a listing read page by page (S3), or one with a size unknown, goes to the threads', () => {
    expect(decodesOnThisThread(2, false, undefined)).toBe(false);
    expect(decodesOnThisThread(2, false, { bytes: undefined })).toBe(false);
  });

  test('threads that were given are used whatever the size; 0 threads is always this thread', () => {
    expect(decodesOnThisThread(2, true, { bytes: 10 })).toBe(false);
    expect(decodesOnThisThread(0, true, { bytes: 100 * MIB })).toBe(true);
    expect(decodesOnThisThread(0, true, undefined)).toBe(true);
  });

  test('given means the flag, the environment variable (which reaches args as the flag) or --no-decode-workers', () => {
    expect(decodeThreadsGiven({})).toBe(false);
    expect(decodeThreadsGiven({ 'decode-workers': true })).toBe(false);
    expect(decodeThreadsGiven({ 'decode-threads': 2 })).toBe(true);
    expect(decodeThreadsGiven({ 'decode-threads': 0 })).toBe(true);
    expect(decodeThreadsGiven({ 'decode-workers': false })).toBe(true);
  });
});

describe('inputMayBeLarge', () => {
  const MIB = 1024 * 1024;

  test('sums the files of every local input, folders walked, and says yes from 8 MiB', () => {
    const dir = testTempDir('may-be-large-');
    mkdirSync(path.join(dir, 'a', 'b'), { recursive: true });
    writeFileSync(path.join(dir, 'a', 'one.gz'), Buffer.alloc(3 * MIB));
    writeFileSync(path.join(dir, 'a', 'b', 'two.gz'), Buffer.alloc(3 * MIB));
    const third = path.join(testTempDir('may-be-large-'), 'three.gz');
    writeFileSync(third, Buffer.alloc(2 * MIB - 1));
    // 3 + 3 + 2 MiB − 1 byte, in two inputs.
    expect(inputMayBeLarge([dir, third])).toBe(false);
    writeFileSync(third, Buffer.alloc(2 * MIB));
    expect(inputMayBeLarge([dir, third])).toBe(true);
    expect(inputMayBeLarge([third])).toBe(false);
    expect(inputMayBeLarge([])).toBe(false);
  });

  test('an S3 input may be large; a path that cannot be read counts for nothing', () => {
    expect(inputMayBeLarge(['s3://bucket/logs/'])).toBe(true);
    expect(inputMayBeLarge([path.join(testTempDir('may-be-large-'), 'missing')])).toBe(false);
  });

  test('past 256 files and folders it stops looking and says yes', () => {
    const dir = testTempDir('may-be-large-');
    // The folder itself and 255 one-byte files: 256 entries; one more file is one too many.
    for (let i = 0; i < 255; i++) writeFileSync(path.join(dir, `f${i}.ndjson`), 'x');
    expect(inputMayBeLarge([dir])).toBe(false);
    writeFileSync(path.join(dir, 'f255.ndjson'), 'x');
    expect(inputMayBeLarge([dir])).toBe(true);
  });
});

describe('threadPoolSizeFor', () => {
  test("one pool thread per decode thread on top of libuv's default 4", () => {
    expect(threadPoolSizeFor(0, {})).toBe(4);
    expect(threadPoolSizeFor(2, {})).toBe(6);
    expect(threadPoolSizeFor(64, {})).toBe(68);
    expect(threadPoolSizeFor(5000, {})).toBe(1024); // libuv's maximum
  });

  test('a UV_THREADPOOL_SIZE the user set is kept; an empty one is not a setting', () => {
    expect(threadPoolSizeFor(8, { UV_THREADPOOL_SIZE: '2' })).toBeUndefined();
    expect(threadPoolSizeFor(8, { UV_THREADPOOL_SIZE: '' })).toBe(12);
  });
});

describe('auth0-usage run', () => {
  /** Runs the CLI in-process over one sample archive (or `input`); records the pool sizes it asks for and the decode threads it started. */
  async function run(args: string[], env: NodeJS.ProcessEnv = {}, input = 'fixtures/samples/webhook') {
    const stderr = new PassThrough();
    const err: Buffer[] = [];
    stderr.on('data', (c: Buffer) => err.push(c));
    const sizes: number[] = [];
    const startedBefore = decodeThreadsStarted();
    const code = await main(['run', '-i', input, '--no-table', '--log-level', 'silent', ...args], {
      stdout: new PassThrough(),
      stderr,
      env,
      sizeThreadPool: (size) => sizes.push(size),
    });
    const threadsStarted = decodeThreadsStarted() - startedBefore;
    return { code, sizes, stderr: Buffer.concat(err).toString('utf8'), threadsStarted };
  }

  test('by default a small local input starts no decode thread; one of 8 MiB does, and so do given threads', async () => {
    expect(await run([])).toMatchObject({ code: 0, stderr: '', threadsStarted: 0 });
    // Given threads start one as the run sets up, whatever the input (a second one only for a second object in flight).
    expect(await run(['--decode-threads', '2'])).toMatchObject({ code: 0, stderr: '', threadsStarted: 1 });
    expect(await run([], { AUTH0_USAGE_DECODE_THREADS: '1' })).toMatchObject({ code: 0, stderr: '', threadsStarted: 1 });
    // 8 MiB on disk, two files: one record each and blank lines (cheap to decode, and counted as listed).
    const input = path.join(testTempDir('decode-threads-'), 'in');
    mkdirSync(input);
    const record = (id: string) => JSON.stringify({ log_id: id.padStart(56, '9'), date: '2024-01-01T00:00:00.000Z', type: 's', user_id: `auth0|${id}` });
    const half = SMALL_INPUT_BYTES / 2;
    writeFileSync(path.join(input, 'a.ndjson'), `${record('1')}\n`.padEnd(half, '\n'));
    writeFileSync(path.join(input, 'b.ndjson'), `${record('2')}\n`.padEnd(half - 1, '\n'));
    expect(await run([], {}, input)).toMatchObject({ code: 0, stderr: '', threadsStarted: 0 });
    writeFileSync(path.join(input, 'b.ndjson'), `${record('2')}\n`.padEnd(half, '\n'));
    const large = await run([], {}, input);
    expect(large).toMatchObject({ code: 0, stderr: '' });
    expect(large.threadsStarted).toBeGreaterThan(0);
  });

  test('a run refused with a usage error leaves no decode thread running, though its first one starts before the checks', async () => {
    // The first decode thread starts before the config is read and the command line checked (inputMayBeLarge, or
    // given threads); a run that ends before reading must close it, as the end of reading does.
    await closeDecodeWorkers();
    expect(await run(['--decode-threads', '2', '--timezone', 'Nowhere/Atlantis'])).toMatchObject({ code: 2, threadsStarted: 1 });
    expect(decodeThreadCount()).toBe(0);
  });

  test('the flag wins over AUTH0_USAGE_DECODE_THREADS, which wins over one per core; the pool is sized with them', async () => {
    expect(await run(['--decode-threads', '5'], { AUTH0_USAGE_DECODE_THREADS: '3' })).toMatchObject({ code: 0, sizes: [9], stderr: '' });
    expect(decodeThreadLimit()).toBe(5);
    expect(await run([], { AUTH0_USAGE_DECODE_THREADS: '3' })).toMatchObject({ code: 0, sizes: [7], stderr: '' });
    expect(decodeThreadLimit()).toBe(3);
    expect(await run([])).toMatchObject({ code: 0, sizes: [4 + availableParallelism()], stderr: '' });
    expect(decodeThreadLimit()).toBe(availableParallelism());
  });

  test('0 decodes on the main thread; a UV_THREADPOOL_SIZE of the user is left alone', async () => {
    expect(await run(['--decode-threads', '0'])).toMatchObject({ code: 0, sizes: [4], stderr: '' });
    expect(await run(['--decode-threads', '2'], { UV_THREADPOOL_SIZE: '3' })).toMatchObject({ code: 0, sizes: [], stderr: '' });
  });

  test.each([
    [['--decode-threads', '-1'], {}, '--decode-threads must be a whole number from 0 to 256, got -1'],
    [['--decode-threads', '1.5'], {}, '--decode-threads must be a whole number from 0 to 256, got 1.5'],
    [[], { AUTH0_USAGE_DECODE_THREADS: 'many' }, 'AUTH0_USAGE_DECODE_THREADS (--decode-threads) must be a whole number from 0 to 256, got something that is not a number'],
    [['--no-decode-workers', '--decode-threads', '2'], {}, '--no-decode-workers and --decode-threads 2 contradict each other: give one of them'],
  ])('%j %j is a usage error (exit 2, one line), before the pool is sized', async (args, env, message) => {
    const result = await run(args, env);
    expect(result.code).toBe(2);
    expect(result.sizes).toEqual([]);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(message);
  });
});
