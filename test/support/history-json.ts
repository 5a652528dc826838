/**
 * Workflow histories as Temporal's JSON history format (what `temporal workflow show --output json` prints), gzipped,
 * for the replay fixtures under test/fixtures/histories.
 *
 * Why not @temporalio/common's historyToJSON / historyFromJSON: they fail with "type must be a Type" in this
 * install. protobufjs's JSON codec checks `instanceof Type` against its own copy of protobufjs, and node_modules
 * holds two copies of protobufjs 8 (one under @temporalio/common, one under @temporalio/proto, nested because the
 * top level has protobufjs 7 for @grpc/proto-loader). So the codec is taken from the copy @temporalio/proto's types
 * come from; with a single copy this resolves to the same module the SDK uses.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import * as proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';
import type { History } from '@temporalio/common/lib/proto-utils';

interface ProtoJson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options: { ignoreUnknownFields: boolean }): History | null;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const protojson: ProtoJson = require(require.resolve('protobufjs/ext/protojson', { paths: [require.resolve('@temporalio/proto')] }));
const historyType = (patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown }).lookupType('temporal.api.history.v1.History');

/** A history (as fetchHistory returns it) as Temporal's JSON history format, indented. */
export function historyToJson(history: History): string {
  return JSON.stringify(protojson.toJson(historyType, proto.temporal.api.history.v1.History.fromObject(history)), null, 2);
}

/** Temporal's JSON history format back to a history that Worker.runReplayHistories takes as it is. */
export function historyFromJson(json: unknown): History {
  // Unknown fields (a history from a newer server) are ignored, as the SDK's own reader does.
  const history = protojson.fromJson(historyType, json, { ignoreUnknownFields: true });
  if (!history?.events?.length) throw new Error('not a workflow history: expected an object with a non-empty events array');
  return history;
}

/** Reads a gzipped JSON history file. */
export function readHistoryFile(file: string): History {
  try {
    return historyFromJson(JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')));
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`, { cause: err });
  }
}
