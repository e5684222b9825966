/**
 * As a container's process 1, a SIGTERM that arrives while node is still loading the CLI's modules (a few hundred
 * ms on a busy node: yargs, pino, the AWS SDK's pieces) is dropped by the kernel unless a handler is installed by
 * then: the run then carries on as if never stopped, and the pod waits out its grace period for SIGKILL. The stand-in
 * for the default action must be installed before the rest of the CLI is loaded.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const CLI = path.resolve(__dirname, '../../dist/cli.js');
const pidNamespace = spawnSync('unshare', ['-r', '-p', '-f', '--mount-proc', 'true']).status === 0;

(pidNamespace ? test : test.skip)('as process 1, a SIGTERM while the CLI is still being loaded ends it (exit 143), as it ends a plain process', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-init-early-'));
  try {
    // Preloaded: when the CLI asks for its command module (cli/main, which loads nearly all the rest), the process
    // signals itself first, as Kubernetes would at that moment. With a handler in place the signal is caught and
    // heard once the loading is done; without one the kernel drops it (process 1) and `--version` exits 0.
    const preload = path.join(dir, 'signal-while-loading.js');
    writeFileSync(
      preload,
      `const Module = require('module');
const load = Module._load;
let sent = false;
Module._load = function (request, ...rest) {
  if (!sent && request === './cli/main') {
    sent = true;
    process.kill(process.pid, 'SIGTERM');
  }
  return load.call(this, request, ...rest);
};
`,
    );
    const result = spawnSync('unshare', ['-r', '-p', '-f', '--mount-proc', process.execPath, '--require', preload, CLI, 'status', '--state', path.join(dir, 'nothing-here')], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.error).toBeUndefined();
    expect(result.status).toBe(143);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}, 60_000);
