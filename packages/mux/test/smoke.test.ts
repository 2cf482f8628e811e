import { expect, test } from 'vitest';
import * as mux from '@petrichor/mux';

test('the package resolves to its sources', () => {
  expect(typeof mux).toBe('object');
});
