import type { AddressInfo } from "node:net";
import express from "express";

const app = express();
app.get("/v1/items/:id", (req, res) => {
  res.json({ id: req.params.id, name: "bench" });
});
const server = app.listen(0, "127.0.0.1", () => {
  process.stdout.write(`ready ${(server.address() as AddressInfo).port}\n`);
});
process.on("SIGTERM", () => process.exit(0));
