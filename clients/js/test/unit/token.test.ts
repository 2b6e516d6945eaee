import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { refreshDelay, tokenExpiresAt } from "../../src/token.js";
import { jwt } from "../support/jwt.js";

describe("tokenExpiresAt", () => {
  it("reads a JWT's exp claim (seconds) as milliseconds, with UTF-8 claims around it", () => {
    assert.equal(tokenExpiresAt(jwt({ sub: "zoë", exp: 1_900_000_000 })), 1_900_000_000_000);
  });

  it("is undefined for a token that is not a JWT or has no numeric exp", () => {
    assert.equal(tokenExpiresAt("opaque-token"), undefined);
    assert.equal(tokenExpiresAt(jwt({ sub: "a" })), undefined);
    assert.equal(tokenExpiresAt(jwt({ exp: "soon" })), undefined);
    assert.equal(tokenExpiresAt("a.%%%.c"), undefined);
  });
});

describe("refreshDelay", () => {
  it("refreshes the given margin before expiry", () => {
    assert.equal(refreshDelay(100_000, 0, 30_000), 70_000);
  });

  it("refreshes a short-lived token half-way through its remaining life", () => {
    assert.equal(refreshDelay(10_000, 0, 30_000), 5_000);
  });

  it("refreshes at once a token already expired", () => {
    assert.equal(refreshDelay(1_000, 5_000, 30_000), 0);
  });
});
