/**
 * The page's script, bundled by esbuild when the server starts. Plain DOM: each button is one call
 * to the notes service over the page's own WebSocket, and each result or error is shown where the
 * button is. Text only ever goes in through `textContent`.
 */
import { Client, HandshakeDeniedError, RpcError } from '@petrichor/rpc';
import { connect } from '@petrichor/transport';
import type { Value } from '@petrichor/wire';
import { showError, showValue } from './render.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => document.getElementById(id) as T;
const user = $<HTMLInputElement>('user');
const status = $('status');
const buttons = ['add', 'read', 'ticks'].map((id) => $<HTMLButtonElement>(id));
const tickStatus = $('tick-status');
const tickList = $('tick-list');
const start = $<HTMLButtonElement>('ticks');
const cancel = $<HTMLButtonElement>('cancel');

// The service is on the server that served this page, same host and port, path /rpc.
const rpcUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/rpc`;
let client: Client | null = null;

/** Sets an element's state (for CSS and tests) and its text. */
function show(element: HTMLElement, state: string, text: string): void {
  delete element.dataset['code'];
  element.dataset['state'] = state;
  element.textContent = text;
}

/** Shows an error the way the error model gives it; its code goes in `data-code` too. */
function showFailure(element: HTMLElement, state: string, error: unknown): void {
  const shown = showError(error);
  show(element, state, shown.text);
  element.dataset['code'] = shown.code;
}

async function onConnect(): Promise<void> {
  const previous = client;
  client = null; // first, so its end is not taken for a lost connection
  setConnected(false);
  await previous?.close();
  show(status, 'connecting', `connecting to ${rpcUrl} as ${user.value}…`);
  try {
    const connected = await Client.connect(await connect(rpcUrl), { user: user.value, version: '1.0' });
    client = connected;
    setConnected(true);
    show(status, 'connected', `connected: ${showValue(connected.welcome)}`);
    void connected.closed.then((error) => {
      if (client !== connected) return;
      client = null;
      setConnected(false);
      if (error === undefined) show(status, 'lost', 'connection lost: the server closed the session');
      else showFailure(status, 'lost', error);
    });
  } catch (error) {
    showFailure(status, error instanceof HandshakeDeniedError ? 'denied' : 'failed', error);
  }
}

function setConnected(connected: boolean): void {
  for (const button of buttons) button.disabled = !connected;
}

/** Runs one unary call and shows its reply or its error in `output`. */
async function unary(output: HTMLElement, call: (client: Client) => Promise<Value>): Promise<void> {
  if (client === null) return;
  show(output, 'pending', '…');
  try {
    show(output, 'ok', showValue(await call(client)));
  } catch (error) {
    showFailure(output, 'error', error);
  }
}

/** Streams `GET /ticks/:n`, one list item per tick as it arrives; Cancel aborts the call. */
async function onTicks(): Promise<void> {
  if (client === null) return;
  const n = $<HTMLInputElement>('tick-count').value;
  const controller = new AbortController();
  cancel.onclick = () => controller.abort();
  cancel.disabled = false;
  start.disabled = true; // one stream at a time: it owns the list
  tickList.replaceChildren();
  show(tickStatus, 'streaming', 'streaming…');
  try {
    for await (const item of client.stream('GET', `/ticks/${n}`, null, { signal: controller.signal })) {
      const li = document.createElement('li');
      li.textContent = showValue(item);
      tickList.append(li);
      show(tickStatus, 'streaming', `streaming… ${tickList.childElementCount} of ${n}`);
    }
    show(tickStatus, 'done', `done: ${tickList.childElementCount} ticks`);
  } catch (error) {
    showFailure(tickStatus, error instanceof RpcError && error.code === 499 ? 'cancelled' : 'error', error);
  } finally {
    cancel.disabled = true;
    start.disabled = client === null;
  }
}

$('connect').addEventListener('click', () => void onConnect());
$('add').addEventListener('click', () => void unary($('add-result'), (c) => c.call('POST', '/notes', $<HTMLInputElement>('note-text').value)));
$('read').addEventListener('click', () => void unary($('read-result'), (c) => c.call('GET', `/notes/${$<HTMLInputElement>('note-id').value}`)));
start.addEventListener('click', () => void onTicks());
