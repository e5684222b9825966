import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// The schemas of kubernetes-models ignore unknown fields, and knownFieldNames() knows a name wherever any type
// has it: a field put where it does not belong (fsGroup in a container's securityContext, activeDeadlineSeconds
// in a CronJob's spec rather than its jobTemplate's) passes both, and the API server (strict field validation,
// kubectl's default) refuses the manifest. The package's TypeScript interfaces are exact per place: assigning the
// manifest to them as an object literal makes tsc report a field unknown where it stands, or of the wrong type.

/** A manifest document and its interface in kubernetes-models, e.g. ['batch/v1/CronJob', 'ICronJob']. */
export interface TypedDocument {
  model: string;
  type: string;
  value: unknown;
}

/** tsc's errors for the documents assigned to their interfaces; none when each is a valid literal of its type. */
export function kubernetesTypeErrors(documents: TypedDocument[]): string[] {
  const models = path.dirname(require.resolve('kubernetes-models/package.json'));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-k8s-types-'));
  try {
    const file = path.join(dir, 'manifest.ts');
    const source = documents.map(
      ({ model, type, value }, i) =>
        `import type { ${type} as T${i} } from ${JSON.stringify(path.join(models, model))};\n` + `export const doc${i}: T${i} = ${JSON.stringify(value, null, 1)};\n`,
    );
    writeFileSync(file, source.join(''));
    const tsc = path.join(path.dirname(require.resolve('typescript/package.json')), 'lib', 'tsc.js');
    const result = spawnSync(
      process.execPath,
      [tsc, '--noEmit', '--strict', '--skipLibCheck', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--types', '', file],
      { cwd: dir, encoding: 'utf8', timeout: 60_000 },
    );
    if (result.error) throw result.error;
    const errors = result.stdout.split('\n').filter((line) => /error TS\d+/.test(line)).map((line) => line.replace(/^.*?manifest\.ts/, 'manifest'));
    if (result.status !== 0 && errors.length === 0) throw new Error(`tsc failed without an error line: ${result.stdout}${result.stderr}`);
    return errors;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
