import http from 'node:http';

export type Received = { event: string; data: Record<string, unknown> };
export type Stream = {
  status: number;
  headers: http.IncomingHttpHeaders;
  events: Received[];
  raw: () => string;
  ended: Promise<void>;
  close(): void;
};

/** A minimal EventSource: parses `event:`/`data:` frames as they arrive. */
export function openStream(baseUrl: string, headers: Record<string, string>): Promise<Stream> {
  return new Promise((resolve, reject) => {
    const request = http.get(`${baseUrl}/api/v1/events`, {
      headers: { accept: 'text/event-stream', ...headers },
    });
    request.on('error', reject);
    request.on('response', (response) => {
      let text = '';
      let pending = '';
      const events: Received[] = [];
      const ended = new Promise<void>((done) => {
        response.on('close', done);
        response.on('end', done);
      });
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
        pending += chunk;
        let cut;
        while ((cut = pending.indexOf('\n\n')) >= 0) {
          const block = pending.slice(0, cut);
          pending = pending.slice(cut + 2);
          const name = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (name && data) events.push({ event: name, data: JSON.parse(data) as Record<string, unknown> });
        }
      });
      resolve({
        status: response.statusCode ?? 0,
        headers: response.headers,
        events,
        raw: () => text,
        ended,
        close: () => request.destroy(),
      });
    });
  });
}
