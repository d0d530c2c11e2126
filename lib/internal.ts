// What bin/, server.ts, the bench and the tests use from lib/: not a public
// entry (package.json exports only lib/index.ts), so it may change freely.
export { createMuxStream, type MuxOptions } from './create-mux-stream.js';
export { extractInfo, extractPage, extractSelection, type ExtractOptions } from './extract/extract.js';
export { isPlaylist } from './extract/parse-playlist.js';
export { buildFormatSelector, buildFormatSort, buildYtdlpArgs, type FormatChoice, type PageChoice, type YtdlpArgsOptions } from './extract/ytdlp-args.js';
export { isVideoCodec, VIDEO_CODECS } from './extract/codecs.js';
export { cookieHeaderFromField, cookiesFor, requestHeadersFor } from './extract/cookies.js';
export { safeBasename, safeFilename } from './extract/safe-filename.js';
export { buildFfmpegArgs, CONTAINER_FORMATS } from './mux/ffmpeg-args.js';
export { MuxStream } from './mux/mux-stream.js';
export { measureSelection, type MeasureOptions, type OutputMeasure } from './length/measure-output.js';
export { startMux, type StartMuxOptions } from './mux/start-mux.js';
export { AdmissionController, type AdmissionCounts, type AdmissionOptions, type Ticket } from './admission/admission-controller.js';
export { Semaphore } from './admission/semaphore.js';
export { MuxError, isMuxError, MUX_ERROR_CODES, type MuxErrorCode } from './errors.js';
export { checkUrl, isPrivateAddress } from './url.js';
export type { CodecFamily, Extraction, InputKind, JarCookie, MediaInput, MuxInfo, PageInfo, PlaylistEntry, PlaylistInfo, Selection, VideoCodec, VideoInfo, VideoPage } from './types.js';
export { createHandler, type Handler, type HandlerDeps } from './http/create-handler.js';
export { contentDisposition } from './http/content-disposition.js';
export { STATUS_BY_CODE } from './http/status.js';
export { DEFAULT_CONFIG, DEFAULT_RELAY, type ServerConfig } from './defaults.js';
export { probeVersion, resolveBinary, missingBinaryMessage } from './process/binaries.js';
export { Toolchain, describeToolchain, MAX_YTDLP_AGE_DAYS, type ToolchainReport, type ToolchainWarning } from './process/toolchain.js';
export { probeToolchain, ytdlpReleaseDate, ageInDays, type ToolchainProbe } from './process/versions.js';
export { checkCookiesFile, inspectCookiesFile, parseCookiesText, type CookiesInspection } from './extract/cookies-file.js';
export { packageVersion } from './package-version.js';
