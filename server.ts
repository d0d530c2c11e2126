// The standalone server: configuration from the environment, listen, signals.
// Everything else lives in lib/ behind createHandler.
import { createServer } from 'node:http';
import { AdmissionController, ConfigError, createHandler, readServerConfig, type ServerConfig } from './lib/index.js';

let config: ServerConfig;
try {
  config = readServerConfig(process.env);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`passmux: invalid configuration: ${error.message}`);
  process.exit(1);
}

const admission = new AdmissionController({ maxConnections: config.maxConnections, maxActive: config.maxWorkers });
const handler = createHandler({ admission, config });
const server = createServer(handler);
// Downloads are long: no limit on the response, a tight one on receiving request headers.
server.requestTimeout = 0;
server.headersTimeout = 20_000;
server.keepAliveTimeout = 5_000;
server.timeout = 0;

server.on('error', (error) => {
  console.error(`passmux: cannot listen on ${config.host}:${config.port}: ${error.message}`);
  process.exit(1);
});

server.listen(config.port, config.host, () => {
  const address = server.address();
  const where = typeof address === 'object' && address ? `${address.address}:${address.port}` : String(address);
  console.log(JSON.stringify({ time: new Date().toISOString(), event: 'listening', address: where,
    maxConnections: config.maxConnections, maxWorkers: config.maxWorkers, maxExtractions: config.maxExtractions }));
});

let stopping = false;
async function shutdown(signal: NodeJS.Signals): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(JSON.stringify({ time: new Date().toISOString(), event: 'shutdown', signal, open: admission.open }));
  // Keep answering during the grace: /healthz and new downloads say 503, so a
  // load balancer drains us while running downloads finish.
  await handler.close(config.shutdownGraceMs);
  server.close();
  server.closeAllConnections();
  console.log(JSON.stringify({ time: new Date().toISOString(), event: 'stopped' }));
  process.exit(0);
}
process.on('SIGTERM', (signal) => void shutdown(signal));
process.on('SIGINT', (signal) => void shutdown(signal));
