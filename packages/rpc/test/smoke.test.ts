import { expect, test } from 'vitest';
import * as pkg from '@petrichor/rpc';

test('the package resolves to its sources', () => {
  expect(typeof pkg).toBe('object');
});
