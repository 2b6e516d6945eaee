import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { deliveryProblems, type Received } from "../support/delivery.js";

// The browser tests' check, checked: it must see every way a resume can go wrong.
const T = "AAAAAAAAAAAAAAAAAAAAAA";
const r = (channel: string, partition: number, offset: number, seq: number): Received =>
  ({ channel, position: `${T}:${partition}:${offset}`, seq });

describe("deliveryProblems", () => {
  it("accepts channels sharing a partition whose replays arrive channel by channel", () => {
    const records = [r("a", 0, 10, 0), r("b", 0, 11, 1), r("b", 0, 13, 3), r("a", 0, 12, 2), r("a", 0, 14, 4)];
    assert.deepEqual(deliveryProblems(records, 2), []);
  });

  it("reports a record delivered twice", () => {
    assert.deepEqual(deliveryProblems([r("a", 0, 1, 0), r("a", 0, 1, 0)], 1), [
      `a ${T}:0:1 delivered twice`,
      "a: seq 0 after 0",
      "a: offset 1 after 1 on partition 0",
    ]);
  });

  it("reports a record missed on a partition, and out of order within a channel", () => {
    assert.deepEqual(deliveryProblems([r("a", 1, 5, 0), r("a", 1, 7, 2)], 1), [
      "a: seq 2 after 0",
      "partition 1: 1 offsets missing between 5 and 7",
    ]);
    assert.deepEqual(deliveryProblems([r("a", 1, 6, 1), r("a", 1, 5, 0)], 1), [
      "a: seq 0 after 1",
      "a: offset 5 after 6 on partition 1",
    ]);
  });

  it("checks records with spread positions by their seq alone, and never a repeated position", () => {
    const s = (seq: number, position: string): Received => ({ channel: "a", position, seq });
    assert.deepEqual(deliveryProblems([s(0, "AQ1xYz"), s(1, "AQ1xZa"), s(2, "AQ1xZb")], 1), []);
    assert.deepEqual(deliveryProblems([s(0, "AQ1xYz"), s(2, "AQ1xZb")], 1), ["a: seq 2 after 0"]);
    assert.deepEqual(deliveryProblems([s(0, "AQ1xYz"), s(0, "AQ1xYz")], 1),
      ["a AQ1xYz delivered twice", "a: seq 0 after 0"]);
  });
});
