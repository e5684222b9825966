/**
 * A fetch (undici's, the engine of Node's own) that trusts one extra CA, for in-process tests: Node reads
 * NODE_EXTRA_CA_CERTS only at start-up, so child-process tests use that and these use this.
 */
import { Agent, fetch as undiciFetch } from 'undici';

export interface TrustingFetch {
  fetch: typeof fetch;
  close(): Promise<void>;
}

export function fetchTrusting(caPem: string): TrustingFetch {
  const agent = new Agent({ connect: { ca: caPem } });
  const trusting = ((input: Parameters<typeof undiciFetch>[0], init?: Parameters<typeof undiciFetch>[1]) =>
    undiciFetch(input, { ...init, dispatcher: agent })) as unknown as typeof fetch;
  return { fetch: trusting, close: () => agent.close() };
}
