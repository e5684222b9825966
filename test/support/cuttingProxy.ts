import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What to do to a matching response once `afterBytes` bytes of its body have been passed on. */
export type Sabotage =
  /** Close the connection: the client sees a reset / premature close part-way through the body. */
  | { kind: 'cut'; afterBytes: number }
  /** Send nothing more but keep the connection open: the client waits for bytes that never come. */
  | { kind: 'stall'; afterBytes: number }
  /** Never answer at all (not even headers). */
  | { kind: 'hang' }
  /** Reset the connection (TCP RST) once the request arrived, before any response: the client sees ECONNRESET. */
  | { kind: 'reset' }
  /** Answer for the server, without asking it: this HTTP status and an S3 error document with this code. */
  | { kind: 'fail'; status: number; code: string };

export interface SabotageRule {
  /** Which requests to spoil, e.g. `(r) => r.method === 'GET' && r.url.startsWith('/archive/big')`. */
  match: (request: { method: string; url: string }) => boolean;
  action: Sabotage;
  /** How many matching responses to spoil before passing the rest through; default: all. */
  times?: number;
  /** Awaited once `afterBytes` have been passed on, before the cut or stall: what changes meanwhile, the client sees. */
  beforeSpoiling?(): Promise<void>;
}

export interface CuttingProxy {
  /** `http://127.0.0.1:<port>`: point the client here instead of at the server. */
  endpoint: string;
  /** Every request seen, in arrival order. */
  readonly requests: ReadonlyArray<{ method: string; url: string }>;
  /** Responses spoiled so far. */
  readonly spoiled: number;
  sabotage(rule: SabotageRule | undefined): void;
  stop(): Promise<void>;
}

/**
 * A loopback HTTP proxy in front of a test server that passes requests through untouched (so their
 * signatures stay valid) and can break a response body part-way, or the connection before any response.
 */
export async function startCuttingProxy(target: { host: string; port: number }): Promise<CuttingProxy> {
  const requests: Array<{ method: string; url: string }> = [];
  const sockets = new Set<Socket>();
  let rule: SabotageRule | undefined;
  let spoiled = 0;
  let remaining = 0;

  const server = http.createServer((req, res) => {
    const seen = { method: req.method ?? 'GET', url: req.url ?? '/' };
    requests.push(seen);
    const beforeSpoiling = rule?.beforeSpoiling;
    const spoil = rule !== undefined && remaining > 0 && rule.match(seen) ? rule.action : undefined;
    if (spoil) {
      remaining--;
      spoiled++;
    }
    if (spoil?.kind === 'hang') {
      req.resume(); // drain the request and say nothing
      return;
    }
    if (spoil?.kind === 'reset') {
      req.socket.resetAndDestroy();
      return;
    }
    if (spoil?.kind === 'fail') {
      const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${spoil.code}</Code><Message>spoiled by the test proxy</Message><RequestId>0</RequestId></Error>`;
      req.resume(); // a PUT's body is read and dropped
      req.once('end', () => res.writeHead(spoil.status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) }).end(body));
      return;
    }
    const upstream = http.request({ host: target.host, port: target.port, method: seen.method, path: seen.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.statusMessage, up.rawHeaders);
      if (!spoil) {
        up.pipe(res);
        return;
      }
      res.flushHeaders();
      let sent = 0;
      const onData = (chunk: Buffer) => {
        const room = spoil.afterBytes - sent;
        const part = chunk.subarray(0, Math.max(0, room));
        sent += part.length;
        if (sent < spoil.afterBytes) {
          res.write(part);
          return;
        }
        up.off('data', onData);
        up.destroy();
        const after = () => {
          void Promise.resolve(beforeSpoiling?.()).then(() => {
            if (spoil.kind === 'cut') (res.socket ?? req.socket).destroy();
            // 'stall': leave the socket open and silent until the client gives up or the proxy stops.
          });
        };
        if (part.length > 0) res.write(part, after);
        else after();
      };
      up.on('data', onData);
      up.on('end', () => res.end()); // a body shorter than afterBytes passes through whole
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    get spoiled() {
      return spoiled;
    },
    sabotage(next) {
      rule = next;
      remaining = next?.times ?? Infinity;
    },
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
