/**
 * The parent's side of ./service.ts: starts the four services of one stack, each in its own
 * process, tells each where the others are, and collects their counters. Every wait is bounded.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FRONTEND, SERVICES, type CallStats, type ServiceName } from './mesh.js';
import type { FromService, ToService } from './service.js';
import { stackName, type Stack } from './stack.js';

/** The loader, resolved from here so the children find it whatever their working directory. */
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const SERVICE = fileURLToPath(new URL('./service.ts', import.meta.url));

/** How long a child may take to start, listen or connect (generous: eight processes loading TypeScript on a busy machine). */
const STEP_MS = 60_000;

/** The counters of every process of a stack, summed. */
export interface ClusterStats {
  readonly calls: CallStats;
  /** CPU time (user + system) the four services have used since they started, in ms. */
  readonly cpuMs: number;
}

/** One stack's four running services. */
export interface Cluster {
  readonly stack: Stack;
  /** Where each service listens. */
  readonly urls: Readonly<Record<ServiceName, string>>;
  /** Every key id and its secret: the services' and the front end's. */
  readonly keys: Readonly<Record<string, string>>;
  stats(): Promise<ClusterStats>;
  /** Ends the four processes. */
  close(): Promise<void>;
}

/** The next message from `child` of the given type; rejects on `failed`, on exit, or after {@link STEP_MS}. */
function next<T extends FromService['type']>(child: ChildProcess, type: T, what: string): Promise<Extract<FromService, { type: T }>> {
  return new Promise((resolve, reject) => {
    const done = (): void => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    const onMessage = (message: FromService): void => {
      if (message.type === 'failed') {
        done();
        reject(new Error(`${what}: ${message.message}`));
      } else if (message.type === type) {
        done();
        resolve(message as Extract<FromService, { type: T }>);
      }
    };
    const onExit = (code: number | null): void => {
      done();
      reject(new Error(`${what} exited (${code})`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`${what}: no ${type} within ${STEP_MS} ms`));
    }, STEP_MS);
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** Extra Node flags for the children: `MESH_CPU_PROF=dir` profiles each one into `dir`. */
function nodeFlags(): string[] {
  const dir = process.env['MESH_CPU_PROF'];
  return dir === undefined || dir === '' ? [] : ['--cpu-prof', `--cpu-prof-dir=${dir}`];
}

/** Starts the four services of `stack`; resolves once each is connected to the others. */
export async function startCluster(stack: Stack): Promise<Cluster> {
  const keys = Object.fromEntries([...SERVICES, FRONTEND].map((key) => [key, randomBytes(32).toString('hex')]));
  const children = new Map<ServiceName, ChildProcess>();
  const close = async (): Promise<void> => {
    await Promise.all(
      [...children.values()].map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
            child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            // Disconnecting ends it cleanly (a --cpu-prof profile is written on a clean exit).
            if (child.connected) child.disconnect();
            else child.kill('SIGTERM');
          }),
      ),
    );
  };
  try {
    for (const name of SERVICES) {
      const child = fork(SERVICE, [stackName(stack), name], {
        execArgv: [...nodeFlags(), '--conditions=@petrichor/source', '--import', TSX],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      children.set(name, child);
    }
    const send = (child: ChildProcess, message: ToService): void => void child.send(message);
    const urls = Object.fromEntries(
      await Promise.all(
        [...children].map(async ([name, child]) => {
          const listening = next(child, 'listening', `${stackName(stack)} ${name}`);
          send(child, { type: 'start', stack: stackName(stack), name, keys });
          return [name, (await listening).url] as const;
        }),
      ),
    ) as Record<ServiceName, string>;
    await Promise.all(
      [...children].map(async ([name, child]) => {
        const ready = next(child, 'ready', `${stackName(stack)} ${name}`);
        send(child, { type: 'peers', urls });
        await ready;
      }),
    );
    return {
      stack,
      urls,
      keys,
      async stats() {
        const all = await Promise.all(
          [...children].map(async ([name, child]) => {
            const stats = next(child, 'stats', `${stackName(stack)} ${name}`);
            send(child, { type: 'stats' });
            return stats;
          }),
        );
        return {
          calls: {
            calls: all.reduce((sum, s) => sum + s.calls.calls, 0),
            notFound: all.reduce((sum, s) => sum + s.calls.notFound, 0),
            errors: all.reduce((sum, s) => sum + s.calls.errors, 0),
          },
          cpuMs: all.reduce((sum, s) => sum + s.cpuMs, 0),
        };
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
