/** Where the HEC token comes from (the environment only) and how it is kept out of every message. */
import { redactSecrets, withoutSecret } from '../../support/errorText';

export const HEC_TOKEN_ENV_VARS = ['SPLUNK_HEC_TOKEN', 'AUTH0_USAGE_HEC_TOKEN'] as const;

/** The token from `SPLUNK_HEC_TOKEN`, else `AUTH0_USAGE_HEC_TOKEN`; undefined when neither is set. */
export function resolveHecToken(env: NodeJS.ProcessEnv): string | undefined {
  for (const name of HEC_TOKEN_ENV_VARS) {
    const value = env[name]?.trim();
    if (value) return value;
  }
  return undefined;
}

/** True when the token can be put in an HTTP header as is (no whitespace or control characters). */
export function isUsableHecToken(token: string): boolean {
  return /^[\x21-\x7e]+$/.test(token);
}

/**
 * Replaces every occurrence of the token in `text`. A last line of defence for messages that embed
 * text from elsewhere (a socket error, a reply body): our own messages never include it.
 */
export function redactToken(text: string, token: string): string {
  return redactSecrets(withoutSecret(text, token));
}
