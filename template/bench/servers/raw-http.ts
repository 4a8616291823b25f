import http from "node:http";
import type { AddressInfo } from "node:net";

const body = JSON.stringify({ id: "00000000-0000-4000-8000-000000000000", name: "bench" });
const server = http.createServer((_req, res) => {
  res.writeHead(200, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
  });
  res.end(body);
});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`ready ${(server.address() as AddressInfo).port}\n`);
});
process.on("SIGTERM", () => process.exit(0));
