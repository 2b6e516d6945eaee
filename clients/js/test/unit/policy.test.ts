import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { backoffDelay, closeAction, DEFAULT_BACKOFF } from "@odin-ws/client";

describe("backoffDelay", () => {
  const backoff = { baseMs: 100, capMs: 1_000 };

  it("is full jitter: anywhere from 0 up to (not including) min(cap, base * 2^attempt)", () => {
    assert.equal(backoffDelay(0, backoff, () => 0), 0);
    assert.equal(backoffDelay(0, backoff, () => 0.999_999), 99);
    assert.equal(backoffDelay(1, backoff, () => 0.999_999), 199);
    assert.equal(backoffDelay(3, backoff, () => 0.999_999), 799);
    assert.equal(backoffDelay(3, backoff, () => 0.5), 400);
  });

  it("never exceeds the cap, however many attempts failed", () => {
    assert.equal(backoffDelay(4, backoff, () => 0.999_999), 999);
    assert.equal(backoffDelay(1_000, backoff, () => 0.999_999), 999);
  });

  it("spreads many clients over the whole window with the default random source", () => {
    const delays = Array.from({ length: 1_000 }, () => backoffDelay(0, DEFAULT_BACKOFF));
    assert.ok(delays.every((d) => d >= 0 && d < DEFAULT_BACKOFF.baseMs));
    assert.ok(Math.min(...delays) < 100 && Math.max(...delays) > 900, "1,000 draws cover the window");
  });
});

describe("closeAction", () => {
  it("reconnects and resumes after a drain (1012), a slow-consumer close (4008) and the other transient codes", () => {
    for (const code of [1000, 1005, 1006, 1011, 1012, 1013, 1014, 4008]) {
      assert.equal(closeAction(code), "reconnect", `code ${code}`);
    }
  });

  it("retries slowly when the cluster goes away (1001)", () => {
    assert.equal(closeAction(1001), "reconnect_slowly");
  });

  it("stops on closes that a retry would repeat: 1002, 1003, 1007, 1008, 1009", () => {
    for (const code of [1002, 1003, 1007, 1008, 1009]) {
      assert.equal(closeAction(code), "stop", `code ${code}`);
    }
  });

  it("needs a new token after 4001 (unauthorized) and 4004 (token expired)", () => {
    assert.equal(closeAction(4001), "reconnect_with_new_token");
    assert.equal(closeAction(4004), "reconnect_with_new_token");
  });

  it("reconnects with backoff on a code it does not know", () => {
    assert.equal(closeAction(4999), "reconnect");
    assert.equal(closeAction(3000), "reconnect");
  });
});
