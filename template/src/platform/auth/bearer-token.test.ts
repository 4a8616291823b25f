import { describe, expect, it } from "vitest";
import { bearerCredentials } from "./bearer-token.ts";

describe("bearerCredentials", () => {
  it("when the header is absent or blank then it is missing", () => {
    for (const header of [undefined, null, "", "   "]) {
      expect(bearerCredentials(header)).toEqual({ kind: "missing" });
    }
  });

  it("when the scheme is Bearer in any case with one token then the token is read", () => {
    for (const header of ["Bearer a.b.c", "bearer a.b.c", "BEARER   a.b.c", " Bearer a.b.c "]) {
      expect(bearerCredentials(header)).toEqual({ kind: "token", token: "a.b.c" });
    }
    expect(bearerCredentials("Bearer abc-_~+/==")).toEqual({ kind: "token", token: "abc-_~+/==" });
  });

  it("when the Bearer credentials are not one b64token then they are malformed", () => {
    for (const header of ["Bearer", "Bearer a b", "Bearer a,b", "Bearer =abc", "Bearer a\tb"]) {
      expect(bearerCredentials(header), header).toEqual({ kind: "malformed" });
    }
  });

  it("when another scheme is used then it is reported as such", () => {
    for (const header of ["Basic dTpw", "Bearerx abc", "Digest a=b", "a.b.c"]) {
      expect(bearerCredentials(header), header).toEqual({ kind: "other-scheme" });
    }
  });
});
