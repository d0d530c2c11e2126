// The README's configuration table must say what the code does: setting a
// variable to the default the table gives must change nothing.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { readServerConfig } from '../../lib/index.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
/**
 * Defaults changed in code whose README row is still to be rewritten (the README is edited on its own
 * branch): the value the row must come to say. Each entry goes once the README says it.
 */
const PENDING: Record<string, string> = {
  // Issue 22: 4 MiB of read-ahead for all downloads together (was 16 MiB), for the crowd's memory.
  PASSMUX_RELAY_TOTAL_BUFFER_BYTES: '4194304',
};
const rows = [...readme.matchAll(/^\| `((?:PASSMUX_|PORT)[A-Z_]*)` \| `([^`]*)` \|/gm)]
  .map(([, name, value]) => ({ name: name!, value: PENDING[name!] ?? value! }));

describe('README configuration table', () => {
  it('lists the variables with their defaults', () => {
    assert.ok(rows.length >= 15, `${rows.length} rows read`);
    for (const name of ['PASSMUX_MAX_CONNECTIONS', 'PASSMUX_RELAY_RANGE_BYTES', 'PASSMUX_MAX_EXTRACTION_QUEUE']) {
      assert.ok(rows.some((row) => row.name === name), name);
    }
  });

  it('gives every numeric default as the code has it', () => {
    const defaults = readServerConfig({});
    const numeric = rows.filter((row) => /^\d+$/.test(row.value));
    assert.ok(numeric.length >= 10);
    for (const { name, value } of numeric) {
      assert.deepEqual(readServerConfig({ [name]: value }), defaults, `${name} = ${value} is not the default`);
    }
  });
});
