import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// A deployment file's command line, run by the built CLI as deployed but for where it connects and writes: S3 and
// HEC are a closed loopback port, the --spool a temp folder, each secret a placeholder, no credentials looked up.
// Every flag, value, combination and AUTH0_USAGE_* variable is then checked by the CLI itself, as in production:
// a usage error exits 2 before anything is read; accepted, the run gets as far as its first S3 request (refused,
// exit 1). A check of flag names against --help would miss a bad value (--log-format=jsn, an unknown zone) or a
// combination the command refuses (--shards beside --hec-url).

const CLI = path.resolve(__dirname, '../../../dist/cli.js');
const CLOSED = 'http://127.0.0.1:9';

export interface DeployedRun {
  code: number | null;
  /** The JSON log lines on stderr (the command logs JSON: --log-format=json). */
  lines: Array<{ level: string; msg: string; code?: string; failed?: boolean }>;
  stderr: string;
}

/**
 * The deployed --hec-url with its host and port made the closed loopback port, all else (scheme, path, userinfo, query)
 * as given, so the CLI still judges the value; one that is not a URL at all is passed on as it is, for the CLI to refuse.
 */
function closedHecUrl(given: string): string {
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    return given;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return given;
  const closed = new URL(CLOSED);
  url.hostname = closed.hostname;
  url.port = closed.port;
  return url.href;
}

export function runAsDeployed(args: string[], env: Record<string, string>): DeployedRun {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-deployed-'));
  try {
    const substituted = args.map((arg) => {
      if (arg.startsWith('--hec-url=')) return `--hec-url=${closedHecUrl(arg.slice('--hec-url='.length))}`;
      if (arg.startsWith('--spool=')) return `--spool=${path.join(dir, 'spool')}`;
      return arg;
    });
    const result = spawnSync(process.execPath, [CLI, ...substituted, `--s3-endpoint=${CLOSED}`], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        PATH: process.env.PATH,
        HOME: dir,
        XDG_STATE_HOME: path.join(dir, 'xdg'),
        TMPDIR: dir,
        AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'placeholder',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        ...env,
      },
    });
    if (result.error) throw result.error;
    const lines = result.stderr
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line));
    return { code: result.status, lines, stderr: result.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The CLI took every flag, value and variable: no warning, and the run failed only at the closed S3 endpoint. The
 * SDK's own retries of that refused connection are said at warn level too (S3RetryLog): they are the endpoint's
 * answer, not a complaint about the command line, and are left out.
 */
export function expectAccepted(run: DeployedRun): void {
  const problems = run.lines
    .filter((line) => (line.level === 'warn' || line.level === 'error') && !(line.msg === 'S3 request retried by the AWS SDK' && line.failed === true))
    .map((line) => `${line.level}: ${line.msg}`);
  const last = problems.pop();
  expect([run.code, problems, last]).toEqual([1, [], expect.stringContaining('ECONNREFUSED')]);
}

/** A container's environment as the process sees it: literal values as given, each secret a placeholder. */
export function envOf(variables: Array<{ name: string; value?: string; valueFrom?: unknown }> | undefined): Record<string, string> {
  return Object.fromEntries((variables ?? []).map((v) => [v.name, v.value ?? 'placeholder']));
}
