/**
 * `auth0-usage hec-check --hec-url URL`: is HEC ready for a run? Exit 0 when every check passes,
 * 1 when one fails (the output says which), 2 for usage errors.
 */
import type { Argv } from 'yargs';
import { loadConfig } from '../config/loadConfig';
import { checkHec, type HecCheckDeps, type HecCheckReport } from '../sinks/hec/hecCheck';
import type { CliCommand } from './cliCommand';
import { type CliIo, printOutput } from './cliIo';
import { hecConnectionCliOptions, hecSinkOptionsFromArgv, splunkMetadataFrom, type HecArgs } from './hecOptions';
import { UsageError } from './usageError';

export function hecCheckOptions<T>(yargs: Argv<T>) {
  return yargs
    .options(hecConnectionCliOptions)
    .option('config', { alias: 'c', type: 'string', describe: 'JSON file merged over config/default.json (splunk.index, sourcetype, source)' })
    .example('SPLUNK_HEC_TOKEN=… $0 hec-check --hec-url https://splunk.example.com:8088 --hec-index auth0_usage', 'Check HEC before a backfill');
}

export type HecCheckArgs = HecArgs & { config?: string };

/** Runs the checks, prints one line per check, and returns the exit code. */
export async function runHecCheck(args: HecCheckArgs, io: CliIo, deps: HecCheckDeps = {}): Promise<number> {
  if (args['hec-url'] === undefined) throw new UsageError('hec-check needs --hec-url');
  const config = loadConfig(args.config);
  const options = hecSinkOptionsFromArgv(args, io.env, splunkMetadataFrom(args, config.splunk))!;
  if (options.insecure) io.stderr.write("warning: --hec-insecure: HEC's certificate is not verified\n");
  const report = await checkHec(options, deps);
  await printOutput(io.stdout, formatHecCheckReport(report));
  return report.ok ? 0 : 1;
}

const MARK = { ok: 'ok', failed: 'FAILED', skipped: 'skipped', unverified: 'UNVERIFIED' } as const;

export function formatHecCheckReport(report: HecCheckReport): string {
  const lines = [`hec-check ${report.target}`];
  for (const step of report.steps) lines.push(`  ${MARK[step.status].padEnd(10)} ${step.check.padEnd(10)} ${step.detail}`);
  lines.push(report.ok ? 'HEC is ready.' : 'HEC is not ready: see the checks marked FAILED or UNVERIFIED.');
  return `${lines.join('\n')}\n`;
}

export const hecCheckCommand: CliCommand<HecCheckArgs> = {
  command: 'hec-check',
  describe: 'Check that HEC is reachable and accepts the token and index (sends one test event)',
  builder: (yargs) => hecCheckOptions(yargs),
  run: (args, io) => runHecCheck(args, io),
};
