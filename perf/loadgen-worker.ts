/**
 * Runs one runLoad in its own process (so it can be pinned to a core) and
 * prints its LoadResult as one JSON line. Options: JSON in argv[2]
 * (LoadOptions with `body` as a string, or `bodyBase64` for binary bodies such as gRPC's; baseUrl, modelName, mode, ...).
 */
import { runLoad, type LoadOptions } from '../activities/loadgen';

async function main(): Promise<void> {
  const { body, bodyBase64, ...o } = JSON.parse(process.argv[2]) as Omit<LoadOptions, 'body'> & { body?: string; bodyBase64?: string };
  const r = await runLoad({ ...o, body: bodyBase64 !== undefined ? Buffer.from(bodyBase64, 'base64') : Buffer.from(body ?? '') });
  const { histogram: _h, windows: _w, ...rest } = r;
  process.stdout.write(`${JSON.stringify(rest)}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error)?.stack ?? String(e)}\n`);
  process.exit(1);
});
