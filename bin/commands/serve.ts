import { parseArgs } from 'node:util';
import { runServer } from '../../server.js';
import { readConfigOrExit } from '../../server-config.js';
import { UsageError } from '../usage.js';

export async function serve(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { port: { type: 'string', short: 'p' }, host: { type: 'string' } } });
  const env = { ...process.env };
  if (values.port !== undefined) {
    if (!/^\d+$/.test(values.port)) throw new UsageError(`--port must be a number, got "${values.port}"`, 'serve');
    env.PORT = values.port;
  }
  if (values.host !== undefined) env.HOST = values.host;
  await runServer(readConfigOrExit(env));
}
