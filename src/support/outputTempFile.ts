import path from 'node:path';

/** Where an output file is written before it is renamed into place: `.<name>.<pid>.tmp` beside it. */
export function outputTempFile(target: string, pid = process.pid): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${pid}.tmp`);
}

const OUTPUT_TEMP_NAME = /^\..+\.\d+\.tmp$/;

/** Whether a file name (no folder) is one outputTempFile() makes: an unfinished output of this job, never input. */
export function isOutputTempFile(name: string): boolean {
  return OUTPUT_TEMP_NAME.test(name);
}
