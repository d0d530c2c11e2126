// The README is a front page of links into docs/: every relative link in it
// and in docs/ must name a file that exists (and a heading, when it names one).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const pages = ['README.md', ...readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`)];

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
const anchorOf = (heading: string) => heading.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');

function anchorsIn(file: string): Set<string> {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map(([, heading]) => anchorOf(heading!)));
}

describe('documentation links', () => {
  it('the README stays a front page (at most 250 lines)', () => {
    assert.ok(readFileSync(join(root, 'README.md'), 'utf8').split('\n').length <= 250);
  });

  for (const page of pages) {
    it(`${page}: every relative link resolves`, () => {
      const text = readFileSync(join(root, page), 'utf8').replace(/```[\s\S]*?```/g, '');
      const links = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map(([, target]) => target!).filter((target) => !/^[a-z]+:/.test(target));
      for (const link of links) {
        const [path, anchor] = link.split('#') as [string, string | undefined];
        const file = path === '' ? join(root, page) : resolve(root, dirname(page), path);
        assert.ok(existsSync(file), `${page} links to ${link}: no such file`);
        if (anchor && file.endsWith('.md')) assert.ok(anchorsIn(file).has(anchor), `${page} links to ${link}: no such heading`);
      }
    });
  }
});
