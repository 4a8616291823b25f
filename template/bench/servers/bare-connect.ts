import http from "node:http";
import type { AddressInfo } from "node:net";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { ItemService } from "../../src/gen/lumi/template/v1/items_pb.ts";

// connect-node with no interceptors, answering GetItem from a constant.
const now = timestampFromDate(new Date());
const handler = connectNodeAdapter({
  routes: (router) =>
    router.service(ItemService, {
      getItem: (req) => ({
        item: { id: req.id, name: "bench", version: 1n, createTime: now, updateTime: now },
      }),
    }),
});
const server = http.createServer(handler);
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`ready ${(server.address() as AddressInfo).port}\n`);
});
process.on("SIGTERM", () => process.exit(0));
