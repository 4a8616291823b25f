import { connect } from "node:net";
import { expect } from "vitest";
import type { LogLine } from "./harness.ts";

/** A version 4 UUID, as generated for requests without a usable id. */
export const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Resolves with the first captured log line matching `match`, polling until `timeoutMs`. */
export async function waitForLog(
  logs: readonly LogLine[],
  match: (line: LogLine) => boolean,
  timeoutMs = 2_000,
): Promise<LogLine> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = logs.find(match);
    if (line !== undefined) return line;
    if (Date.now() > deadline) throw new Error(`no log line matched within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The first response read from a raw connection. */
export interface RawResponse {
  readonly status: number;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/**
 * Writes raw bytes to `port` on 127.0.0.1 and parses the first response the
 * server sends before closing (or before `timeoutMs`). Rejects when the
 * connection closes without a response.
 */
export function rawRequest(
  port: number,
  data: string | Buffer,
  timeoutMs = 2_000,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let received = "";
    const finish = () => {
      clearTimeout(timer);
      socket.destroy();
      const split = received.indexOf("\r\n\r\n");
      const [statusLine = "", ...headerLines] = received.slice(0, split).split("\r\n");
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1]);
      if (split === -1 || Number.isNaN(status)) {
        reject(new Error(`no response, received ${JSON.stringify(received.slice(0, 200))}`));
        return;
      }
      const headers: Record<string, string> = {};
      for (const line of headerLines) {
        const colon = line.indexOf(":");
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const length = Number(headers["content-length"] ?? Number.NaN);
      const rest = received.slice(split + 4);
      resolve({ status, headers, body: Number.isNaN(length) ? rest : rest.slice(0, length) });
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      received += chunk;
    });
    socket.on("error", () => {
      // A reset after the response still leaves the response to parse.
    });
    socket.once("close", finish);
    socket.write(data);
  });
}

/** Waits for the access-log line of the request with id `requestId`. */
export function accessLogOf(logs: readonly LogLine[], requestId: string | null): Promise<LogLine> {
  return waitForLog(logs, (line) => line.msg === "request" && line.request_id === requestId);
}

/** Sends a JSON body with `method` and returns the response. */
export function sendJson(
  url: string,
  method: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return fetch(url, {
    method,
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
}

/** An item as the REST API renders it. */
export interface ItemBody {
  id: string;
  name: string;
  description: string;
  tags: string[];
  version: number;
  createTime: string;
  updateTime: string;
}

/** A problem document as the REST API renders it. */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  request_id: string;
  instance?: string;
  errors?: { field: string; description: string }[];
}

/**
 * Asserts that a response is a problem with `status` and `code` carrying the
 * response's request id, and returns its body.
 */
export async function problem(res: Response, status: number, code: string): Promise<ProblemBody> {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
  const body = (await res.json()) as ProblemBody;
  expect(body).toMatchObject({ code, status, request_id: res.headers.get("x-request-id") });
  return body;
}

/** The distinct fields named by a problem's violations, sorted. */
export const fieldsOf = (body: ProblemBody): string[] =>
  [...new Set((body.errors ?? []).map((e) => e.field))].sort();
