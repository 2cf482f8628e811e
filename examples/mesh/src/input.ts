/**
 * Reading a handler's input: the params or payload a caller sent are untrusted, so each field is
 * checked and a missing or mistyped one is a 400, never a crash.
 */
import { MeshError, type Data, type Fields } from './mesh.js';

function field(input: Fields, name: string): Data | undefined {
  return Object.hasOwn(input, name) ? input[name] : undefined;
}

/** A text field; required unless `fallback` is given. */
export function text(input: Fields, name: string, fallback?: string): string {
  const value = field(input, name);
  if (typeof value === 'string') return value;
  if (value === undefined && fallback !== undefined) return fallback;
  throw MeshError.badRequest(`${name}: expected text`);
}

/** An integer field within [min, max]; `fallback` when absent. */
export function int(input: Fields, name: string, fallback: number, min = 0, max = 1000): number {
  const value = field(input, name);
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw MeshError.badRequest(`${name}: expected an integer from ${min} to ${max}`);
  }
  return value;
}

/** A list of text, at most `max` items; empty when absent. */
export function texts(input: Fields, name: string, max = 100): string[] {
  const value = field(input, name);
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > max || !value.every((item) => typeof item === 'string')) {
    throw MeshError.badRequest(`${name}: expected a list of at most ${max} texts`);
  }
  return value as string[];
}

/** A value as a dict of fields (params, payloads), or a 400. */
export function fields(value: unknown, what: string): Fields {
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value) || value instanceof Uint8Array || value instanceof Map) {
    throw MeshError.badRequest(`${what}: expected a dict`);
  }
  return value as Fields;
}
