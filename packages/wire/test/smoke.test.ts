import { expect, test } from 'vitest';
import * as wire from '@petrichor/wire';

test('the package resolves to its sources', () => {
  expect(typeof wire).toBe('object');
});
