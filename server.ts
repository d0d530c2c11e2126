// The standalone server: configuration from the environment, listen, signals.
// Everything else lives in lib/ behind createHandler. `passmux serve` uses runServer.
import { realpathSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { pathToFileURL } from 'node:url';
import { AdmissionController, createHandler, inspectCookiesFile, Toolchain, type Handler, type ServerConfig } from './lib/internal.js';
import { readConfigOrExit } from './server-config.js';

const logEvent = (event: string, fields: Record<string, unknown> = {}) =>
  console.log(JSON.stringify({ time: new Date().toISOString(), event, ...fields }));

export interface RunningServer {
  server: Server;
  handler: Handler;
  admission: AdmissionController;
}

/** Listens with `config`; resolves once listening (rejects if the port cannot be had). */
export async function startServer(config: ServerConfig): Promise<RunningServer> {
  const admission = new AdmissionController({ maxConnections: config.maxConnections, maxActive: config.maxWorkers });
  const toolchain = new Toolchain({ ffmpeg: config.ffmpeg, ytdlp: config.ytdlp });
  const handler = createHandler({ admission, config, toolchain });
  // 64 KiB, not more: with many slow clients every socket holds this much (bench: the crowd's RSS).
  const server = createServer({ highWaterMark: 64 * 1024 }, handler);
  // Downloads are long: no limit on the response, a tight one on receiving request headers.
  server.requestTimeout = 0;
  server.headersTimeout = 20_000;
  server.keepAliveTimeout = 5_000;
  server.timeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => { server.off('error', reject); resolve(); });
  });
  const address = server.address();
  const where = typeof address === 'object' && address ? `${address.address}:${address.port}` : String(address);
  logEvent('listening', { address: where, maxConnections: config.maxConnections, maxWorkers: config.maxWorkers, maxExtractions: config.maxExtractions });
  // Asked once listening (a /healthz meanwhile waits for the answers).
  void toolchain.refresh().then(() => logPrograms(toolchain));
  if (config.ytdlpCookies) logCookies(config.ytdlpCookies);
  return { server, handler, admission };
}

/** Says at startup which ffmpeg, yt-dlp and deno will run, and what to fix (stale yt-dlp, a program missing). */
function logPrograms(toolchain: Toolchain): void {
  const report = toolchain.report()!;
  const { ffmpeg, 'yt-dlp': ytdlp, deno } = report.programs;
  if (ffmpeg.version) logEvent('program', { program: 'ffmpeg', command: ffmpeg.command, version: ffmpeg.version });
  if (ytdlp.version) logEvent('program', { program: 'yt-dlp', ...ytdlp });
  if (deno.found) logEvent('program', { program: 'deno', command: deno.command, version: deno.version });
  for (const warning of report.warnings) logEvent('warning', { ...warning });
}

/** Which sites the cookies file has logins for (names only), and whether others can read it. */
function logCookies(path: string): void {
  try {
    const { summary, warnings } = inspectCookiesFile(path);
    logEvent('cookies', { file: path, cookies: summary.cookies, domains: summary.domains.slice(0, 50) });
    for (const message of warnings) logEvent('warning', { message });
  } catch (error) {
    // Checked at start already; it changed since. Each yt-dlp run reads it anew and says so.
    logEvent('warning', { message: `PASSMUX_YTDLP_COOKIES: ${(error as Error).message}` });
  }
}

/**
 * On SIGTERM/SIGINT: keep answering through the grace (/healthz and new
 * downloads say 503, so a load balancer drains us) while running downloads
 * finish, then cut what is left, and exit 0.
 */
export function stopOnSignals({ server, handler, admission }: RunningServer, graceMs: number): void {
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logEvent('shutdown', { signal, open: admission.open });
    await handler.close(graceMs);
    server.close();
    server.closeAllConnections();
    logEvent('stopped');
    process.exit(0);
  };
  process.on('SIGTERM', (signal) => void stop(signal));
  process.on('SIGINT', (signal) => void stop(signal));
}

export async function runServer(config: ServerConfig): Promise<void> {
  try {
    stopOnSignals(await startServer(config), config.shutdownGraceMs);
  } catch (error) {
    console.error(`passmux: cannot listen on ${config.host}:${config.port}: ${(error as Error).message}`);
    process.exit(1);
  }
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href;
if (isMain) await runServer(readConfigOrExit());
