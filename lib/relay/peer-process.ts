// Which process is on the other end of a loopback connection. The relay's
// URLs sit in ffmpeg's argv, where any local user can read them; the relay
// answers a token only over a connection that the ffmpeg it was made for
// holds open, so a URL copied out of `ps` is worth nothing.
import { readdir, readFile, readlink } from 'node:fs/promises';

/** `/proc/net/tcp` renders ports as four upper-case hex digits. */
const hexPort = (port: number) => port.toString(16).toUpperCase().padStart(4, '0');

/**
 * The socket inode of the connection from local port `fromPort` to remote port
 * `toPort`, as the kernel lists it in a `/proc/net/tcp` table; undefined if absent.
 */
export function findSocketInode(table: string, fromPort: number, toPort: number): string | undefined {
  const from = `:${hexPort(fromPort)}`;
  const to = `:${hexPort(toPort)}`;
  for (const line of table.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields[1]?.endsWith(from) && fields[2]?.endsWith(to) && fields[9] && fields[9] !== '0') return fields[9];
  }
  return undefined;
}

/** Whether process `pid` has the socket with this inode among its open files. */
async function holdsSocket(pid: number, inode: string): Promise<boolean> {
  const dir = `/proc/${pid}/fd`;
  const fds = await readdir(dir).catch(() => [] as string[]);
  const links = await Promise.all(fds.map((fd) => readlink(`${dir}/${fd}`).catch(() => '')));
  return links.includes(`socket:[${inode}]`);
}

/** Linux can tell; elsewhere the token alone decides (docs/security.md). */
export const CAN_CHECK_PEERS = process.platform === 'linux';

/**
 * True when the TCP connection whose far end is `peerPort` (and near end our
 * `localPort`) belongs to process `pid`. Both ends are on loopback.
 */
export async function isConnectionOf(pid: number, peerPort: number, localPort: number): Promise<boolean> {
  if (!CAN_CHECK_PEERS) return true;
  const tables = await Promise.all(['/proc/net/tcp', '/proc/net/tcp6'].map((path) => readFile(path, 'utf8').catch(() => '')));
  const inode = tables.map((table) => findSocketInode(table, peerPort, localPort)).find(Boolean);
  return inode !== undefined && holdsSocket(pid, inode);
}
