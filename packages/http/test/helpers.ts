/** Test helpers: real HTTP requests with node:http against a server on 127.0.0.1, port 0. */
import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';

export interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
  trailers: NodeJS.Dict<string>;
}

export interface Ask {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** The body in several writes (sent chunked). */
  chunks?: readonly (string | Uint8Array)[];
}

/** Opens a request and resolves with the response as it starts (its body unread). */
export function open(url: string, ask: Ask = {}): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: ask.method ?? 'GET', headers: ask.headers ?? {} }, resolve);
    // After the response has come, a reset while still sending (413, 415) changes nothing.
    req.on('error', reject);
    if (ask.chunks !== undefined) {
      for (const chunk of ask.chunks) req.write(chunk);
      req.end();
    } else if (ask.body !== undefined) req.end(ask.body);
    else req.end();
  });
}

/** Reads a whole response. */
export async function read(res: IncomingMessage): Promise<Answer> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  return { status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8'), trailers: res.trailers };
}

/** One whole request and response. */
export async function ask(url: string, options: Ask = {}): Promise<Answer> {
  return read(await open(url, options));
}
