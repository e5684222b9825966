import { spawnSync } from 'node:child_process';
import path from 'node:path';

// Real processes: what is under test is how Node ends one. The module comes from dist/ (built by the global setup).
const MODULE = path.resolve(__dirname, '../../../dist/cli/unsettledExit.js');

function runNode(script: string) {
  const result = spawnSync(process.execPath, ['-e', `const { failIfUnsettled } = require(${JSON.stringify(MODULE)});\n${script}`], { encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, stderr: result.stderr };
}

test('a command that never settles, with nothing left to wait on, ends with status 1 and says why', () => {
  const { status, stderr } = runNode('failIfUnsettled(process, new Promise(() => {}));');
  expect(status).toBe(1);
  expect(stderr).toBe('auth0-usage: unexpected error: the command ended before it finished (it waited on something that never came)\n');
});

test('a command that settles keeps its own exit status, and nothing is written', () => {
  const resolved = runNode('const c = new Promise((resolve) => setTimeout(resolve, 1)); failIfUnsettled(process, c); c.then(() => { process.exitCode = 3; });');
  expect(resolved).toEqual({ status: 3, stderr: '' });
  const succeeded = runNode('failIfUnsettled(process, Promise.resolve(0));');
  expect(succeeded).toEqual({ status: 0, stderr: '' });
  const rejected = runNode('const c = Promise.reject(new Error("x")); failIfUnsettled(process, c); c.catch(() => { process.exitCode = 1; });');
  expect(rejected).toEqual({ status: 1, stderr: '' });
});

test('a process that exits non-zero on its own is left as it is', () => {
  const { status, stderr } = runNode('failIfUnsettled(process, new Promise(() => {})); process.exitCode = 2;');
  expect(status).toBe(2);
  expect(stderr).toBe('');
});
