import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// The built binary in a child process: whether libuv really starts the pool the run asked for.
const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist', 'cli.js');

let dir: string;
let preload: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-pool-'));
  preload = path.join(dir, 'threads.js');
  // At exit the decode threads have been joined; what is left is the main thread, V8's helpers and libuv's pool.
  writeFileSync(preload, "process.on('exit', () => process.stderr.write('threads=' + require('fs').readdirSync('/proc/self/task').length + '\\n'));\n");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function threadsAtExit(args: string[], env: NodeJS.ProcessEnv): number {
  const result = spawnSync(process.execPath, ['-r', preload, CLI, 'run', '-i', 'fixtures/samples', '--no-table', '--log-level', 'silent', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, ...env },
  });
  expect(result.status).toBe(0);
  return Number(/threads=(\d+)/.exec(result.stderr)![1]);
}

// Linux only (/proc), as the job's image.
test('the run sizes libuv\'s pool with its decode threads: 4 + 6 threads, 6 more than a pool the user fixed at 4', () => {
  const fixed = threadsAtExit(['--decode-threads', '6'], { UV_THREADPOOL_SIZE: '4' });
  const sized = threadsAtExit(['--decode-threads', '6'], {});
  expect(sized - fixed).toBe(6);
  // And through the environment's flag, the same.
  expect(threadsAtExit([], { AUTH0_USAGE_DECODE_THREADS: '6' }) - fixed).toBe(6);
});
