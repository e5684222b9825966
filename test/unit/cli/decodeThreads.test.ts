import { availableParallelism } from 'node:os';
import { PassThrough } from 'node:stream';
import { decodeThreadsFrom, threadPoolSizeFor } from '../../../src/cli/decodeThreads';
import { main } from '../../../src/cli/main';
import { closeDecodeWorkers, decodeThreadLimit } from '../../../src/decode/decodeWorkerPool';

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
  /** Runs the CLI in-process over one sample archive; records the pool sizes it asks for. */
  async function run(args: string[], env: NodeJS.ProcessEnv = {}) {
    const stderr = new PassThrough();
    const err: Buffer[] = [];
    stderr.on('data', (c: Buffer) => err.push(c));
    const sizes: number[] = [];
    const code = await main(['run', '-i', 'fixtures/samples/webhook', '--no-table', '--log-level', 'silent', ...args], {
      stdout: new PassThrough(),
      stderr,
      env,
      sizeThreadPool: (size) => sizes.push(size),
    });
    return { code, sizes, stderr: Buffer.concat(err).toString('utf8') };
  }

  test('the flag wins over AUTH0_USAGE_DECODE_THREADS, which wins over one per core; the pool is sized with them', async () => {
    expect(await run(['--decode-threads', '5'], { AUTH0_USAGE_DECODE_THREADS: '3' })).toEqual({ code: 0, sizes: [9], stderr: '' });
    expect(decodeThreadLimit()).toBe(5);
    expect(await run([], { AUTH0_USAGE_DECODE_THREADS: '3' })).toEqual({ code: 0, sizes: [7], stderr: '' });
    expect(decodeThreadLimit()).toBe(3);
    expect(await run([])).toEqual({ code: 0, sizes: [4 + availableParallelism()], stderr: '' });
    expect(decodeThreadLimit()).toBe(availableParallelism());
  });

  test('0 decodes on the main thread; a UV_THREADPOOL_SIZE of the user is left alone', async () => {
    expect(await run(['--decode-threads', '0'])).toEqual({ code: 0, sizes: [4], stderr: '' });
    expect(await run(['--decode-threads', '2'], { UV_THREADPOOL_SIZE: '3' })).toEqual({ code: 0, sizes: [], stderr: '' });
  });

  test.each([
    [['--decode-threads', '-1'], {}, '--decode-threads must be a whole number of at least 0, got -1'],
    [['--decode-threads', '1.5'], {}, '--decode-threads must be a whole number of at least 0, got 1.5'],
    [[], { AUTH0_USAGE_DECODE_THREADS: 'many' }, '--decode-threads must be a whole number of at least 0, got something that is not a number'],
    [['--no-decode-workers', '--decode-threads', '2'], {}, '--no-decode-workers and --decode-threads 2 contradict each other: give one of them'],
  ])('%j %j is a usage error (exit 2, one line), before the pool is sized', async (args, env, message) => {
    const result = await run(args, env);
    expect(result.code).toBe(2);
    expect(result.sizes).toEqual([]);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(message);
  });
});
