/** A Server-Sent Events response as OpenAI streams it: `data: <json>` events, then `data: [DONE]`. */
import type { ServerResponse } from 'node:http';

export class SseWriter {
  constructor(private readonly res: ServerResponse) {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    // Each event leaves at once, not held back to fill a packet: chunk arrival times are what clients measure.
    res.socket?.setNoDelay(true);
    res.flushHeaders();
  }

  send(data: object): void {
    if (!this.res.writableEnded) this.res.write(`data: ${JSON.stringify(data)}\n\n`);
  }

  done(): void {
    if (!this.res.writableEnded) this.res.end('data: [DONE]\n\n');
  }
}
