/** The CLI drops the AWS SDK's Node-version notice (it would break JSON logs) and passes every other warning on. */
import { EventEmitter } from 'node:events';
import { quietSdkNodeNotice } from '../../../src/cli/processWarnings';

const NOTICE = new Error('NodeVersionSupportWarning: The AWS SDK for JavaScript (v3)\nversions published after …');

function processWithPrinter(): { proc: NodeJS.Process; printed: string[] } {
  const proc = new EventEmitter() as unknown as NodeJS.Process;
  const printed: string[] = [];
  proc.on('warning', (warning: Error) => printed.push(warning.message));
  return { proc, printed };
}

test('the notice is dropped; other warnings reach the printer Node had', () => {
  const { proc, printed } = processWithPrinter();
  quietSdkNodeNotice(proc, {});
  proc.emit('warning', NOTICE);
  proc.emit('warning', new Error('ExperimentalWarning: something'));
  expect(printed).toEqual(['ExperimentalWarning: something']);
});

test('the notice is dropped too with the variable set to another "quiet" (the SDK itself is quiet only for "true")', () => {
  for (const value of ['1', 'yes', 'true', '']) {
    const { proc, printed } = processWithPrinter();
    quietSdkNodeNotice(proc, { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: value });
    proc.emit('warning', NOTICE);
    expect([value, printed]).toEqual([value, []]);
  }
});

test("with the SDK's own variable set to false, every warning is printed", () => {
  const { proc, printed } = processWithPrinter();
  quietSdkNodeNotice(proc, { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'false' });
  proc.emit('warning', NOTICE);
  expect(printed).toEqual([NOTICE.message]);
});
