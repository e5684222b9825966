import { readFileSync } from 'node:fs';
import path from 'node:path';
import { configSchema, type UsageConfig } from './schema';
import { errnoCode } from '../support/errnoCode';
import { Auth0UsageError } from '../support/errors';

/** A config file that cannot be read or does not validate. The message names the file and the field. */
export class ConfigError extends Auth0UsageError {
  static override readonly code: string = 'ERR_CONFIG';
  static override readonly exitCode: 1 | 2 = 2;
}

/** config/default.json ships beside the build (dist/config/ → ../../config) and the sources (src/config/ → ../../config). */
export const DEFAULT_CONFIG_PATH = path.resolve(__dirname, '..', '..', 'config', 'default.json');

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config ${file}: ${errnoCode(err)}`);
  }
  try {
    // Editors on Windows (Notepad, PowerShell 5's Out-File) start UTF-8 with a byte order mark, which JSON.parse
    // refused as an invisible `Unexpected token '\uFEFF'`; it is no part of the JSON, as in the input archives.
    return JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text);
  } catch (err) {
    throw new ConfigError(`config ${file} is not valid JSON: ${withoutExcerpt((err as Error).message)}`);
  }
}

/**
 * V8 quotes the text around an unexpected token (`Unexpected token 'T', "TOKEN=0123"... is not valid JSON`): a secret
 * file given as --config by mistake would reach the logs. The excerpt is dropped; the other messages give a position.
 */
function withoutExcerpt(message: string): string {
  return message.replace(/^(Unexpected token .+?), (?:\.\.\.)?".*"(?:\.\.\.)? is not valid JSON$/s, '$1');
}

/** Keys that would reach an object's prototype once merged; JSON.parse keeps them as ordinary own keys. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Throws naming the first prototype key found in `value`, as a dotted path from the file's top level. */
function refusePrototypeKeys(value: unknown, file: string, at: string[] = []): void {
  if (typeof value !== 'object' || value === null) return;
  for (const [key, inner] of Object.entries(value)) {
    const keyPath = [...at, Array.isArray(value) ? `[${key}]` : key];
    if (!Array.isArray(value) && PROTOTYPE_KEYS.has(key)) {
      throw new ConfigError(`invalid config ${file}: ${keyPath.join('.')}: the key '${key}' is not allowed`);
    }
    refusePrototypeKeys(inner, file, keyPath);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Objects merge key by key; anything else (arrays included) replaces, so a user's category list is taken as written. */
export function mergeConfig(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return override === undefined ? base : override;
  const merged: Record<string, unknown> = { ...base };
  // defineProperty, not assignment: a '__proto__' key that slipped through would otherwise set the prototype.
  for (const [key, value] of Object.entries(override)) {
    Object.defineProperty(merged, key, { value: mergeConfig(Object.hasOwn(base, key) ? base[key] : undefined, value), enumerable: true, writable: true, configurable: true });
  }
  return merged;
}

/** Loads config/default.json, merges the user's file over it and validates the result. */
export function loadConfig(userFile?: string, defaultsFile = DEFAULT_CONFIG_PATH): UsageConfig {
  const defaults = readJson(defaultsFile);
  let user: unknown;
  if (userFile) {
    user = readJson(userFile);
    refusePrototypeKeys(user, userFile);
  }
  const merged = userFile ? mergeConfig(defaults, user) : defaults;
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    // A key refused with a message of its own (a client secret in the file) says what to do: it comes first.
    const issue = result.error.issues.find((i) => (i as { expected?: string }).expected === 'never') ?? result.error.issues[0]!;
    const field = issue.path.length ? issue.path.join('.') : '(top level)';
    throw new ConfigError(`invalid config${userFile ? ` ${userFile}` : ''}: ${field}: ${issue.message}`);
  }
  return result.data;
}
