import { expect, test } from 'vitest';
import * as pkg from '@petrichor/transport';

test('the package resolves to its sources', () => {
  expect(typeof pkg).toBe('object');
});
