/**
 * Checks a request against the AWS SDK's own runtime schema of it (@aws-sdk/client-batch exports one per shape,
 * e.g. `RegisterJobDefinitionRequest$`): structures `[3, namespace, name, traits, memberNames, memberSchemas,
 * requiredCount]` (the first requiredCount members are required), lists `[1, namespace, name, traits, member]`,
 * and the simple types 0 (string), 1 (number), 2 (boolean), 64 (list of strings), 128 (map of strings).
 * Returns where the request differs: unknown or missing members, or a value of the wrong type.
 */
export function shapeProblems(value: unknown, schema: unknown, at = ''): string[] {
  const resolved = typeof schema === 'function' ? (schema as () => unknown)() : schema;
  if (resolved === 0) return typeof value === 'string' ? [] : [`${at}: not a string`];
  if (resolved === 1) return typeof value === 'number' ? [] : [`${at}: not a number`];
  if (resolved === 2) return typeof value === 'boolean' ? [] : [`${at}: not a boolean`];
  if (resolved === 64) return Array.isArray(value) && value.every((item) => typeof item === 'string') ? [] : [`${at}: not a list of strings`];
  if (resolved === 128) {
    const isMap = typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((item) => typeof item === 'string');
    return isMap ? [] : [`${at}: not a map of strings`];
  }
  if (!Array.isArray(resolved)) return [`${at}: a schema this check does not know (${String(resolved)})`];
  if (resolved[0] === 1) {
    if (!Array.isArray(value)) return [`${at}: not a list`];
    return value.flatMap((item, index) => shapeProblems(item, resolved[4], `${at}[${index}]`));
  }
  if (resolved[0] === 3) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${at}: not a structure`];
    const names = resolved[4] as string[];
    const members = resolved[5] as unknown[];
    const required = names.slice(0, (resolved[6] as number | undefined) ?? 0);
    const record = value as Record<string, unknown>;
    return [
      ...required.filter((name) => record[name] === undefined).map((name) => `${at}.${name}: missing`),
      ...Object.entries(record).flatMap(([key, child]) => {
        const index = names.indexOf(key);
        return index === -1 ? [`${at}.${key}: not a member of ${String(resolved[2])}`] : shapeProblems(child, members[index], `${at}.${key}`);
      }),
    ];
  }
  return [`${at}: a schema this check does not know (${JSON.stringify(resolved).slice(0, 40)})`];
}
