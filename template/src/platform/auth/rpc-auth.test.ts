import {
  Code,
  ConnectError,
  type ConnectRouter,
  createClient,
  createRouterTransport,
  type Interceptor,
} from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestIssuer, type TestIssuer } from "../../../test/test-issuer.ts";
import { ErrorInfoSchema } from "../../gen/google/rpc/error_details_pb.ts";
import {
  Health,
  HealthCheckResponse_ServingStatus as ServingStatus,
} from "../../gen/grpc/health/v1/health_pb.ts";
import { ItemService } from "../../gen/lumi/template/v1/items_pb.ts";
import { publicAccess, requireRoles, requireScopes } from "./policy.ts";
import { claimsFrom, type RpcPolicies, rpcAuth } from "./rpc-auth.ts";
import {
  createDevelopmentVerifier,
  createTokenVerifier,
  createUnconfiguredVerifier,
  type TokenVerifier,
} from "./verifier.ts";

/** The real ItemService descriptor with handlers that echo the caller's subject. */
function routes(router: ConnectRouter) {
  router.service(ItemService, {
    async getItem(_req, context) {
      return { item: { id: claimsFrom(context).sub } };
    },
    async listItems() {
      return { items: [], nextPageToken: "" };
    },
    async deleteItem(_req, context) {
      claimsFrom(context);
      return {};
    },
    async updateItem(_req, context) {
      // A public-looking mistake: using the claims where no rule asked for them.
      return { item: { id: claimsFrom(context).sub } };
    },
  });
  router.service(Health, {
    async check() {
      return { status: ServingStatus.SERVING };
    },
  });
}

function clientsWith(interceptor: Interceptor) {
  const transport = createRouterTransport(routes, { router: { interceptors: [interceptor] } });
  return { items: createClient(ItemService, transport), health: createClient(Health, transport) };
}

const policies: RpcPolicies = {
  "lumi.template.v1.ItemService": requireScopes("items:read"),
  "lumi.template.v1.ItemService/ListItems": publicAccess(),
  "lumi.template.v1.ItemService/DeleteItem": requireRoles("admin"),
};

let issuer: TestIssuer;
let verifier: TokenVerifier;

beforeAll(async () => {
  issuer = await createTestIssuer();
  verifier = createTokenVerifier({
    jwksUrl: issuer.jwksUrl,
    issuer: issuer.issuer,
    audience: issuer.audience,
  });
});

afterAll(async () => {
  await verifier.close();
  await issuer.close();
});

const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

/** Runs a call expected to fail and returns its ConnectError. */
async function failure(call: Promise<unknown>): Promise<ConnectError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, "the call succeeded").toBeInstanceOf(ConnectError);
  return error as ConnectError;
}

describe("rpcAuth", () => {
  it("when no token is sent to a protected procedure then unauthenticated", async () => {
    const { items } = clientsWith(rpcAuth(verifier, policies));
    const error = await failure(items.getItem({ id: "1" }));
    expect(error.code).toBe(Code.Unauthenticated);
    expect(error.rawMessage).toBe("a bearer token is required");
    expect(error.findDetails(ErrorInfoSchema)[0]?.reason).toBe("UNAUTHENTICATED");
  });

  it("when the token is invalid then unauthenticated with the reason, never the token", async () => {
    const { items } = clientsWith(rpcAuth(verifier, policies));
    const expired = await issuer.sign({}, { nowSec: Math.floor(Date.now() / 1000) - 3600 });
    const error = await failure(items.getItem({ id: "1" }, bearer(expired)));
    expect(error.code).toBe(Code.Unauthenticated);
    expect(error.rawMessage).toBe("token expired");
    expect(error.message).not.toContain(expired);
    const wrongScheme = await failure(
      items.getItem({ id: "1" }, { headers: { authorization: "Basic dTpw" } }),
    );
    expect(wrongScheme.code).toBe(Code.Unauthenticated);
  });

  it("when a scope is missing then permission_denied naming it", async () => {
    const { items } = clientsWith(rpcAuth(verifier, policies));
    const token = await issuer.sign({ scope: "other" });
    const error = await failure(items.getItem({ id: "1" }, bearer(token)));
    expect(error.code).toBe(Code.PermissionDenied);
    expect(error.rawMessage).toBe("missing scope items:read");
    expect(error.findDetails(ErrorInfoSchema)[0]?.reason).toBe("PERMISSION_DENIED");
  });

  it("when the token grants the scope then the handler sees the claims", async () => {
    const { items } = clientsWith(rpcAuth(verifier, policies));
    const token = await issuer.sign({ sub: "grace", scope: "items:read" });
    const res = await items.getItem({ id: "1" }, bearer(token));
    expect(res.item?.id).toBe("grace");
  });

  it("when a method has its own entry then it overrides the service's", async () => {
    const { items } = clientsWith(rpcAuth(verifier, policies));
    // ListItems is public: no token needed.
    await expect(items.listItems({})).resolves.toBeTruthy();
    // DeleteItem needs the admin role; the service's scope does not count.
    const reader = await issuer.sign({ scope: "items:read" });
    const denied = await failure(items.deleteItem({ id: "1" }, bearer(reader)));
    expect(denied.code).toBe(Code.PermissionDenied);
    expect(denied.rawMessage).toBe("requires role admin");
    const admin = await issuer.sign({ roles: ["admin"] });
    await expect(items.deleteItem({ id: "1" }, bearer(admin))).resolves.toBeTruthy();
  });

  it("when the health service is not listed then it stays public", async () => {
    const { health } = clientsWith(
      rpcAuth(verifier, policies, { defaultAccess: requireRoles("x") }),
    );
    const res = await health.check({ service: "" });
    expect(res.status).toBe(ServingStatus.SERVING);
  });

  it("when the health service is listed then its entry applies", async () => {
    const { health } = clientsWith(
      rpcAuth(verifier, { "grpc.health.v1.Health": requireRoles("probe") }),
    );
    expect((await failure(health.check({ service: "" }))).code).toBe(Code.Unauthenticated);
  });

  it("when a procedure is not listed then the default applies: authenticated unless configured", async () => {
    const token = await issuer.sign();
    const byDefault = clientsWith(rpcAuth(verifier, {})).items;
    expect((await failure(byDefault.getItem({ id: "1" }))).code).toBe(Code.Unauthenticated);
    await expect(byDefault.getItem({ id: "1" }, bearer(token))).resolves.toBeTruthy();
    const stricter = clientsWith(
      rpcAuth(verifier, {}, { defaultAccess: requireScopes("items:admin") }),
    ).items;
    expect((await failure(stricter.getItem({ id: "1" }, bearer(token)))).code).toBe(
      Code.PermissionDenied,
    );
  });

  it("when claimsFrom is used in a public procedure then it fails as internal", async () => {
    const { items } = clientsWith(
      rpcAuth(verifier, { "lumi.template.v1.ItemService/UpdateItem": publicAccess() }),
    );
    const error = await failure(items.updateItem({ id: "1" }));
    expect(error.code).toBe(Code.Internal);
  });

  it("when a policy key names no served procedure then it is refused at boot", () => {
    const services = [ItemService, Health];
    expect(() =>
      rpcAuth(verifier, { "lumi.template.v1.ItemService/DeleteItm": publicAccess() }, { services }),
    ).toThrow(/DeleteItm/);
    expect(() => rpcAuth(verifier, { "not a key": publicAccess() })).toThrow(TypeError);
    expect(() => rpcAuth(verifier, policies, { services })).not.toThrow();
  });

  it("when no key set is configured then protected procedures fail closed and health works", async () => {
    const { items, health } = clientsWith(rpcAuth(createUnconfiguredVerifier(), policies));
    const error = await failure(items.getItem({ id: "1" }, bearer("a.b.c")));
    expect(error.code).toBe(Code.Unauthenticated);
    expect(error.rawMessage).toBe("authentication is not configured");
    await expect(health.check({ service: "" })).resolves.toBeTruthy();
  });

  it("when auth is disabled for development then calls run as the developer", async () => {
    const { items } = clientsWith(rpcAuth(createDevelopmentVerifier(), policies));
    expect((await items.getItem({ id: "1" })).item?.id).toBe("developer");
    await expect(items.deleteItem({ id: "1" })).resolves.toBeTruthy();
  });
});
