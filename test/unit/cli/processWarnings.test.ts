/**
 * The CLI prints the process's warnings itself: the AWS SDK's Node-version notice is dropped (it would break JSON
 * logs), and with a JSON log every other warning is a JSON line; otherwise Node's own printer shows it.
 */
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { routeProcessWarnings } from '../../../src/cli/processWarnings';

const NOTICE = new Error('NodeVersionSupportWarning: The AWS SDK for JavaScript (v3)\nversions published after …');

function processWithPrinter(): { proc: NodeJS.Process; printed: string[] } {
  const proc = new EventEmitter() as unknown as NodeJS.Process;
  const printed: string[] = [];
  proc.on('warning', (warning: Error) => printed.push(warning.message));
  return { proc, printed };
}

test('the notice is dropped; other warnings reach the printer Node had', () => {
  const { proc, printed } = processWithPrinter();
  routeProcessWarnings(proc, {}, new PassThrough());
  proc.emit('warning', NOTICE);
  proc.emit('warning', new Error('ExperimentalWarning: something'));
  expect(printed).toEqual(['ExperimentalWarning: something']);
});

test('the notice is dropped too with the variable set to another "quiet" (the SDK itself is quiet only for "true")', () => {
  for (const value of ['1', 'yes', 'true', '']) {
    const { proc, printed } = processWithPrinter();
    routeProcessWarnings(proc, { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: value }, new PassThrough());
    proc.emit('warning', NOTICE);
    expect([value, printed]).toEqual([value, []]);
  }
});

test("with the SDK's own variable set to false, every warning is printed", () => {
  const { proc, printed } = processWithPrinter();
  routeProcessWarnings(proc, { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'false' }, new PassThrough());
  proc.emit('warning', NOTICE);
  expect(printed).toEqual([NOTICE.message]);
});

test('with a JSON log, a warning is one JSON line at level warn, with its name and code, and not Node\'s text', () => {
  const { proc, printed } = processWithPrinter();
  const stderr = new PassThrough();
  const warnings = routeProcessWarnings(proc, {}, stderr);
  warnings.printAsJson(true);
  const tls = Object.assign(new Error("Setting the NODE_TLS_REJECT_UNAUTHORIZED environment variable to '0' makes TLS connections insecure"), { name: 'Warning' });
  const deprecation = Object.assign(new Error('Buffer() is deprecated'), { name: 'DeprecationWarning', code: 'DEP0005' });
  proc.emit('warning', tls);
  proc.emit('warning', deprecation);
  proc.emit('warning', NOTICE);
  expect(printed).toEqual([]);
  const lines = String(stderr.read()).trimEnd().split('\n').map((line) => JSON.parse(line));
  expect(lines).toEqual([
    { level: 'warn', time: expect.any(String), name: 'auth0-usage', warning: 'Warning', msg: tls.message },
    { level: 'warn', time: expect.any(String), name: 'auth0-usage', warning: 'DeprecationWarning', code: 'DEP0005', msg: 'Buffer() is deprecated' },
  ]);
  // Back to text (a command whose log is not JSON): Node's printer again.
  warnings.printAsJson(false);
  proc.emit('warning', tls);
  expect(printed).toEqual([tls.message]);
});

test('with Node\'s --no-warnings (no printer of its own), no warning is printed, JSON or not', () => {
  const proc = new EventEmitter() as unknown as NodeJS.Process;
  const stderr = new PassThrough();
  const warnings = routeProcessWarnings(proc, {}, stderr);
  warnings.printAsJson(true);
  proc.emit('warning', new Error('ExperimentalWarning: something'));
  expect(stderr.read()).toBeNull();
});

test('the CLI says which format its log has: JSON for run when stderr is not a terminal, text for --log-format text', async () => {
  const { main } = await import('../../../src/cli/main');
  const told: boolean[] = [];
  const io = (logsJson: (json: boolean) => void) => ({ stdout: new PassThrough(), stderr: new PassThrough(), env: {}, logsJson });
  expect(await main(['run', '--input', 'no-such-folder-for-this-test', '--no-table'], io((json) => told.push(json)))).toBe(1);
  expect(await main(['run', '--input', 'no-such-folder-for-this-test', '--no-table', '--log-format', 'text'], io((json) => told.push(json)))).toBe(1);
  expect(told).toEqual([true, false]);
});
