import type { DescService } from "@bufbuild/protobuf";
import type { ConnectRouter } from "@connectrpc/connect";
import type { RpcPolicies } from "../platform/auth/index.ts";
import type { AppContext } from "./routes.ts";

/** A Connect service of src/app, as src/service.ts registers it on the RPC listener. */
export interface AppRpcService {
  /** The generated descriptor (src/gen). */
  readonly service: DescService;
  /** Who may call it: by "package.Service" or "package.Service/Method" (docs/rpc.md). */
  readonly policies: RpcPolicies;
  /** Registers the implementation on the router. */
  register(router: ConnectRouter, app: AppContext): void;
}

/**
 * The registration point of this service's own Connect services (items
 * aside). `lumi add rpc <name>` inserts its entry above the `lumi add rpc`
 * line: keep that line.
 */
export const appRpcServices: readonly AppRpcService[] = [
  // lumi add rpc: new services are inserted above this line
];

/** The descriptors of {@link appRpcServices}, for the auth interceptor's boot check. */
export const appRpcDescriptors: readonly DescService[] = appRpcServices.map((s) => s.service);

/** The access rules of {@link appRpcServices}, merged. */
export const appRpcPolicies: RpcPolicies = Object.assign(
  {},
  ...appRpcServices.map((s) => s.policies),
);

/** Registers every service of {@link appRpcServices}. */
export function registerAppRpcServices(router: ConnectRouter, app: AppContext): void {
  for (const entry of appRpcServices) entry.register(router, app);
}
