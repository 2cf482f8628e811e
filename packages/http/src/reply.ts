/**
 * Writing the answer (spec/rpc.md §10.3, §10.4): a value, a stream of items under backpressure
 * with the outcome in a trailer, or an error as an HTTP status with the error model as the body.
 */
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { RpcError } from '@petrichor/rpc';
import type { Value } from '@petrichor/wire';
import type { Media } from './media.js';

/** The HTTP status of an error: its code when that is a 4xx or 5xx, else 500. */
export function statusOf(error: RpcError): number {
  return Number.isInteger(error.code) && error.code >= 400 && error.code <= 599 ? error.code : 500;
}

/** A unary reply: 200 with the value in `media`. A value `media` cannot write is a 500. */
export function writeValue(res: ServerResponse, media: Media, value: Value, report: (error: unknown) => void): void {
  let body: Uint8Array;
  try {
    body = media.encode(value);
  } catch (error) {
    report(error);
    writeError(res, media, RpcError.internal());
    return;
  }
  res.writeHead(200, { 'Content-Type': media.type, 'Content-Length': body.length, Vary: 'Accept' });
  res.end(body);
}

/**
 * An error reply: its status, `headers`, and the error model in `media`. When its `data` has no
 * form in `media`, the error goes without it.
 */
export function writeError(res: ServerResponse, media: Media, error: RpcError, headers: OutgoingHttpHeaders = {}): void {
  if (res.headersSent || res.destroyed) return;
  let body: Uint8Array;
  try {
    body = media.encode(media.error(error));
  } catch {
    body = media.encode(media.error(new RpcError(error.code, error.message)));
  }
  res.writeHead(statusOf(error), { ...headers, 'Content-Type': media.type, 'Content-Length': body.length, Vary: 'Accept' });
  res.end(body);
}

/**
 * A streamed reply: 200 at once, then each item framed as `media` frames them, written as the
 * client reads (a full socket buffer waits for `drain`). The trailer `Petrichor-Status` says how
 * it ended: 200, or the error's code after a last item holding the error model. Resolves when
 * done, or when the client has gone (the items are then left, which stops the handler).
 */
export async function writeStream(res: ServerResponse, media: Media, items: AsyncIterable<Value>, report: (error: unknown) => void): Promise<void> {
  res.writeHead(200, { 'Content-Type': media.streamType, Vary: 'Accept', 'Petrichor-Stream': 'true', Trailer: 'Petrichor-Status' });
  res.flushHeaders();
  let failure: RpcError | null = null;
  try {
    for await (const item of items) {
      if (res.destroyed) return;
      let bytes: Uint8Array;
      try {
        bytes = media.item(item);
      } catch (error) {
        report(error);
        failure = RpcError.internal();
        break;
      }
      if (!res.write(bytes)) await drained(res);
    }
  } catch (error) {
    failure = error instanceof RpcError ? error : RpcError.internal();
  }
  if (res.destroyed) return;
  if (failure !== null) {
    let last: Uint8Array;
    try {
      last = media.item(media.error(failure));
    } catch {
      last = media.item(media.error(new RpcError(failure.code, failure.message)));
    }
    res.write(last);
  }
  res.addTrailers({ 'Petrichor-Status': String(failure === null ? 200 : statusOf(failure)) });
  res.end();
}

/** Resolves when `res` can take more, or has closed. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
