/**
 * The control interface (spec/rpc.md §7.1): every server answers `GET /manifest` on the interface
 * named `control`, which a client may connect to on its own (handshake `interface: "control"`),
 * without the data interface.
 */
import type { CallOptions } from './outgoing.js';
import { describeService, manifestValue, parseManifest, type Manifest, type ManifestInfo } from './manifest.js';
import type { Service } from './service.js';
import type { RpcSession } from './session.js';

/** The control interface's name: a request's `iface` and a handshake's `interface`. */
export const CONTROL = 'control';

/** The manifest's path on the control interface. */
export const MANIFEST_PATH = '/manifest';

/**
 * Adds the control interface to `service`, with `GET /manifest` answering the manifest as the
 * service stands at the time of the call. Idempotent: a service already serving it is left alone.
 */
export function serveControl(service: Service, info: ManifestInfo | (() => ManifestInfo)): void {
  const control = service.interface(CONTROL);
  if (control.router.routes.some((route) => route.verb === 'GET' && route.pattern === MANIFEST_PATH)) return;
  if (control.purpose === '') control.purpose = 'describes this server';
  control.route('GET', MANIFEST_PATH, () => manifestValue(describeService(service, typeof info === 'function' ? info() : info)), {
    description: 'this manifest',
  });
}

/**
 * Reads the peer's manifest: `GET /manifest` on its control interface. Rejects like any call
 * (`RpcError` 404 when the peer serves no control interface), or with `RpcProtocolError` when the
 * reply is not a manifest.
 */
export async function fetchManifest(session: RpcSession, options?: Omit<CallOptions, 'iface'>): Promise<Manifest> {
  return parseManifest(await session.call('GET', MANIFEST_PATH, null, { ...options, iface: CONTROL }));
}
