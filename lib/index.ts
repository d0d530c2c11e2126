// The public face: a page URL in, an MP4 stream out; the size it will have;
// the admission gates and the HTTP handler for embedding a server.
export { createMuxStream, type MuxOptions } from './create-mux-stream.js';
export { MuxStream } from './mux/mux-stream.js';
export { measureSelection, type MeasureOptions, type OutputMeasure } from './length/measure-output.js';
export { extractInfo, extractSelection, type ExtractOptions } from './extract/extract.js';
export type { FormatChoice } from './extract/ytdlp-args.js';
export { AdmissionController, type AdmissionCounts, type AdmissionOptions, type Ticket } from './admission/admission-controller.js';
export { createHandler, type Handler, type HandlerDeps } from './http/create-handler.js';
export type { ServerConfig } from './defaults.js';
export { MuxError, isMuxError, MUX_ERROR_CODES, type MuxErrorCode } from './errors.js';
export type { CodecFamily, Extraction, InputKind, MediaInput, MuxInfo, PageInfo, PlaylistEntry, PlaylistInfo, Selection, VideoCodec, VideoInfo, VideoPage } from './types.js';
