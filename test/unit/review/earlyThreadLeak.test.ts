import { PassThrough } from 'node:stream';
import { main } from '../../../src/cli/main';
import { closeDecodeWorkers, decodeThreadCount } from '../../../src/decode/decodeWorkerPool';

afterAll(() => closeDecodeWorkers());

// 31961ed starts the first decode thread before the config is read and the command line checked. A run that then
// ends on a usage error never reaches runJob, whose endDecoding closes the threads: the thread outlives the run.
test('a run refused with a usage error leaves no decode thread running in the process', async () => {
  await closeDecodeWorkers();
  const stderr = new PassThrough();
  stderr.resume();
  const code = await main(['run', '-i', 'fixtures/samples/webhook', '--decode-threads', '2', '--timezone', 'Nowhere/Atlantis', '--no-table'], {
    stdout: new PassThrough(),
    stderr,
    env: {},
  });
  expect(code).toBe(2);
  expect(decodeThreadCount()).toBe(0);
});
