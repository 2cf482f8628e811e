/**
 * The service the page talks to: a small notes board with a ticker.
 *
 * - `POST /notes` adds a note (the BODY is its text) and replies with it: `{ id, text, by }`.
 * - `GET /notes/:id` replies with a note, or fails with 404 `no note <id>`.
 * - `GET /ticks/:n` streams `n` ticks, one every `tickMs`: `{ tick, at }`. The caller's cancel
 *   (its AbortSignal) stops the ticker on this side too.
 *
 * Who added a note is the user the client named in the handshake; a client that names nobody is
 * denied there (400), before any call.
 */
import { RpcError, Server, type CallContext } from '@petrichor/rpc';
import type { Value } from '@petrichor/wire';

/** Options of {@link notesService}; every field has a default. */
export interface NotesOptions {
  /** Time between two ticks of `GET /ticks/:n`, in ms. Default 250. */
  tickMs?: number;
  /** The largest `n` of `GET /ticks/:n`. Default 100. */
  maxTicks?: number;
  /** Notes kept; past this the oldest is forgotten. Default 1,000. */
  maxNotes?: number;
  /** The longest note, in UTF-16 code units. Default 1,000. */
  maxNoteLength?: number;
  /** Where log lines go (a connection, a cancelled ticker). Default: nowhere. */
  log?: (line: string) => void;
}

/** The defaults of {@link NotesOptions}. */
export const NOTES_DEFAULTS = Object.freeze({ tickMs: 250, maxTicks: 100, maxNotes: 1_000, maxNoteLength: 1_000 });

/** A note, as the service stores and sends it. */
export interface Note {
  readonly id: number;
  readonly text: string;
  /** The handshake's `user` of the client that added it. */
  readonly by: string;
}

/** Builds the notes service: a `Server` with its routes, ready to `serve` streams. */
export function notesService(options: NotesOptions = {}): Server {
  const tickMs = options.tickMs ?? NOTES_DEFAULTS.tickMs;
  const maxTicks = options.maxTicks ?? NOTES_DEFAULTS.maxTicks;
  const maxNotes = options.maxNotes ?? NOTES_DEFAULTS.maxNotes;
  const maxNoteLength = options.maxNoteLength ?? NOTES_DEFAULTS.maxNoteLength;
  const log = options.log ?? (() => {});
  const notes = new Map<number, Note>(); // insertion order: the first key is the oldest note
  let nextId = 1;

  const server = new Server({
    name: 'notes',
    version: '1.0',
    authorize: (peer) => {
      if (peer.user.trim() === '') throw RpcError.badRequest('say who you are: a user name is required');
    },
    welcome: (peer) => `welcome, ${peer.user}`,
  });

  server.route('POST', '/notes', (ctx) => {
    if (typeof ctx.body !== 'string' || ctx.body.trim() === '') throw RpcError.badRequest('a note is some text');
    if (ctx.body.length > maxNoteLength) throw RpcError.tooLarge(`a note is at most ${maxNoteLength} characters`);
    const note: Note = { id: nextId++, text: ctx.body, by: ctx.peer.user };
    notes.set(note.id, note);
    if (notes.size > maxNotes) notes.delete(notes.keys().next().value!);
    return { ...note };
  }, { description: 'adds a note; the BODY is its text', body: { type: 'string' } });

  server.route('GET', '/notes/:id', (ctx) => {
    const id = ctx.params['id'] ?? '';
    const note = /^[1-9][0-9]{0,15}$/.test(id) ? notes.get(Number(id)) : undefined;
    if (note === undefined) throw RpcError.notFound(`no note ${id}`);
    return { ...note };
  }, { description: 'a note by id; 404 if there is none' });

  server.route('GET', '/ticks/:n', async function* (ctx: CallContext): AsyncGenerator<Value> {
    const n = Number(ctx.params['n']);
    if (!Number.isInteger(n) || n < 1 || n > maxTicks) throw RpcError.badRequest(`n is a whole number from 1 to ${maxTicks}`);
    for (let tick = 1; tick <= n; tick++) {
      if (!(await sleep(tickMs, ctx.signal))) {
        log(`CANCELLED ${ctx.peer.user} ticks after ${tick - 1} of ${n}`);
        return;
      }
      yield { tick, at: new Date().toISOString() };
    }
  }, { description: 'streams n ticks, one every tickMs' });

  return server;
}

/** Waits `ms`; resolves false at once if `signal` fires first. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (value: boolean): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      resolve(value);
    };
    const onAbort = (): void => done(false);
    const timer = setTimeout(() => done(true), ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
