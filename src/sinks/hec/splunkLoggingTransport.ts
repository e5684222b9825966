/**
 * HecTransport over splunk-logging, with its defects defused: no batching, interval timer or retries of
 * its own; certificate verification on; a response timeout; our bytes sent as they are; the status
 * code and body checked by us (it reports HTTP errors as success).
 */
import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import type { Logger as SplunkLogger, FlushCallback } from 'splunk-logging';
import { redactToken } from './hecToken';
import { describeTlsFailure, isTlsFailure } from '../../support/tlsFailure';
import { HecTransportError, httpToTlsHint, parseReplyBody, type HecResponse, type HecTransport } from './hecTransport';

export interface HecConnection {
  /** Base URL: scheme, host, port and an optional path prefix (no trailing slash). */
  baseUrl: URL;
  token: string;
  /** PEM CA bundle to trust instead of the system store. */
  ca?: string;
  /** Skip certificate verification (warned about by the caller). */
  insecure?: boolean;
  timeoutMs: number;
}

export class SplunkLoggingTransport implements HecTransport {
  // Private fields: util.inspect and JSON.stringify never see the token.
  readonly #connection: HecConnection;
  readonly #loggers = new Map<string, SplunkLogger>();

  constructor(connection: HecConnection) {
    this.#connection = connection;
  }

  post(path: string, body: string, headers: Record<string, string>): Promise<HecResponse> {
    const logger = this.#loggerFor(path);
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const done: FlushCallback = (error, response, raw) => {
        if (error || !response) {
          reject(this.#transportError(error ?? new Error('no response'), started));
          return;
        }
        resolve({
          status: response.statusCode ?? 0,
          body: this.#replyBody(Buffer.isBuffer(raw) ? raw : String(raw ?? '')),
          headers: response.headers,
        });
      };
      // flush() joins the queue with "" and POSTs it: queueing our pre-serialized body sends exactly
      // our envelopes (send() would rebuild them with a string `time` and a wrapped `event`).
      // flush() copies the request options synchronously, so concurrent posts cannot mix bodies.
      logger.requestOptions.headers = { ...headers };
      logger.serializedContextQueue = [body];
      logger.eventsBatchSize = Buffer.byteLength(body, 'utf8');
      logger.flush(done);
    });
  }

  get(path: string): Promise<HecResponse> {
    const { baseUrl, ca, insecure, timeoutMs } = this.#connection;
    const url = new URL(baseUrl.pathname.replace(/\/$/, '') + path, baseUrl);
    const client = url.protocol === 'https:' ? https : http;
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const request = client.request(
        url,
        { method: 'GET', agent: false, ca, rejectUnauthorized: !insecure, timeout: timeoutMs },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', (error) => reject(this.#transportError(error, started)));
          response.on('end', () =>
            resolve({
              status: response.statusCode ?? 0,
              body: this.#replyBody(Buffer.concat(chunks)),
              headers: response.headers,
            }),
          );
        },
      );
      request.on('timeout', () => request.destroy(new Error('timeout')));
      request.on('error', (error) => reject(this.#transportError(error, started)));
      request.end();
    });
  }

  #loggerFor(path: string): SplunkLogger {
    let logger = this.#loggers.get(path);
    if (logger) return logger;
    const { baseUrl, token, ca, insecure, timeoutMs } = this.#connection;
    const secure = baseUrl.protocol === 'https:';
    // Loaded on first use, so that runs without HEC do not load it and its HTTP client.
    const { Logger } = require('splunk-logging') as typeof import('splunk-logging');
    logger = new Logger({
      token,
      protocol: secure ? 'https' : 'http',
      host: baseUrl.hostname,
      port: Number(baseUrl.port || (secure ? 443 : 80)),
      path: baseUrl.pathname.replace(/\/$/, '') + path,
      // Defused: one POST per flush() we call, no timer keeping the process alive, no retries of its own.
      maxBatchCount: 0,
      maxBatchSize: 0,
      batchInterval: 0,
      maxRetries: 0,
    });
    logger.eventFormatter = (message) => message;
    // Its default handler console.logs the error with the request context; we report errors ourselves.
    logger.error = () => undefined;
    logger.requestOptions = {
      headers: {},
      json: false,
      strictSSL: !insecure,
      ...(ca === undefined ? {} : { ca }),
      open_timeout: timeoutMs,
      response_timeout: timeoutMs,
      read_timeout: timeoutMs,
      // We parse the body ourselves: needle would hand back HTML or an empty body without complaint.
      parse_response: false,
      follow_max: 0,
      user_agent: 'auth0-usage',
    };
    // It hard-codes application/x-www-form-urlencoded just before posting; HEC-compatible receivers
    // may insist on JSON, so correct the header on the way out.
    const post = logger._post;
    logger._post = (requestOptions, callback) => {
      requestOptions.headers['Content-Type'] = 'application/json';
      post(requestOptions, callback);
    };
    this.#loggers.set(path, logger);
    return logger;
  }

  /** The parsed reply, with the token blanked should a proxy or server echo it back. */
  #replyBody(raw: Buffer | string): unknown {
    return parseReplyBody(redactToken(raw.toString(), this.#connection.token));
  }

  #transportError(error: Error, started: number): HecTransportError {
    const { baseUrl, token, timeoutMs } = this.#connection;
    const code = (error as NodeJS.ErrnoException).code;
    const detail = redactToken(error.message, token);
    const target = baseUrl.host;
    if (isTlsFailure(code, detail)) {
      return new HecTransportError(describeTlsFailure(code as string, detail, target), code, true, false);
    }
    const timedOut = performance.now() - started >= timeoutMs;
    const tlsHint = httpToTlsHint(baseUrl, code);
    const hint = tlsHint === undefined ? '' : `; ${tlsHint}`;
    const message = timedOut
      ? `no reply from ${target} within ${timeoutMs / 1000} s`
      : `${target}: ${code && !detail.includes(code) ? `${code} ` : ''}${detail}${hint}`; // Node's text usually names the code itself
    return new HecTransportError(message, code, false, timedOut);
  }
}
