import { it } from 'node:test';
import { writeFile } from 'node:fs/promises';
import { startFixtureSite } from '../helpers/fixture-site.js';
import { createMuxStream } from '../../lib/index.js';
it('debug', async () => {
  const site = await startFixtureSite();
  site.events.on('media', (...a) => console.log('media', JSON.stringify(a)));
  for (const page of ['vp9']) {
    const stream = await createMuxStream(site.pageUrl(page), { start: 5, end: 8, allowPrivateNetworks: true });
    await writeFile(`/tmp/clipx/dbg-${page}.mp4`, Buffer.concat(await stream.toArray() as Buffer[]));
  }
  await site.close();
});
