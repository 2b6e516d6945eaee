import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ChannelDeduplicator, RECENT_POSITIONS } from "../../src/dedupe.js";

const TOPIC = "AAAAAAAAAAAAAAAAAAAAAA"; // a Kafka topic id: 22 base64url characters
const OTHER_TOPIC = "BBBBBBBBBBBBBBBBBBBBBB";

describe("ChannelDeduplicator", () => {
  it("drops an exact repeat of a recent position, whatever its format", () => {
    const d = new ChannelDeduplicator();
    assert.equal(d.accept("v2.opaque-1"), true);
    assert.equal(d.accept("v2.opaque-2"), true);
    assert.equal(d.accept("v2.opaque-1"), false);
  });

  it("drops a single-partition position at or below the highest offset delivered on its partition", () => {
    const d = new ChannelDeduplicator();
    assert.equal(d.accept(`${TOPIC}:0:10`), true);
    assert.equal(d.accept(`${TOPIC}:0:11`), true);
    assert.equal(d.accept(`${TOPIC}:0:11`), false, "a repeat");
    assert.equal(d.accept(`${TOPIC}:0:9`), false, "out of order");
    assert.equal(d.accept(`${TOPIC}:0:13`), true, "a gap in offsets is not the filter's business");
  });

  it("keeps partitions and topic ids apart, so a channel fed from several partitions loses nothing", () => {
    const d = new ChannelDeduplicator();
    assert.equal(d.accept(`${TOPIC}:0:100`), true);
    assert.equal(d.accept(`${TOPIC}:1:5`), true);
    assert.equal(d.accept(`${TOPIC}:2:7`), true);
    assert.equal(d.accept(`${TOPIC}:1:6`), true);
    assert.equal(d.accept(`${OTHER_TOPIC}:0:1`), true, "a re-created topic starts its offsets again");
  });

  it("never orders positions of another shape: they pass in any order unless repeated exactly", () => {
    const d = new ChannelDeduplicator();
    for (const position of [`${TOPIC}:0:9,1:4`, `${TOPIC}:0:3,1:4`, `${TOPIC}:0:1`, "x:1:2", `${TOPIC}:-1:3`]) {
      assert.equal(d.accept(position), true, position);
    }
    assert.equal(d.accept(`${TOPIC}:0:9,1:4`), false);
  });

  it("compares offsets beyond 2^53 exactly", () => {
    const d = new ChannelDeduplicator();
    assert.equal(d.accept(`${TOPIC}:0:9007199254740993`), true);
    assert.equal(d.accept(`${TOPIC}:0:9007199254740992`), false);
    assert.equal(d.accept(`${TOPIC}:0:9007199254740994`), true);
  });

  it("treats a seeded position (a since the application resumes from) as delivered", () => {
    const d = new ChannelDeduplicator();
    d.seed(`${TOPIC}:3:50`);
    assert.equal(d.accept(`${TOPIC}:3:50`), false);
    assert.equal(d.accept(`${TOPIC}:3:49`), false);
    assert.equal(d.accept(`${TOPIC}:3:51`), true);
  });

  it(`remembers the last ${RECENT_POSITIONS} opaque positions, and no more`, () => {
    const d = new ChannelDeduplicator();
    for (let i = 0; i <= RECENT_POSITIONS; i++) {
      assert.equal(d.accept(`opaque-${i}`), true);
    }
    assert.equal(d.accept(`opaque-${RECENT_POSITIONS}`), false, "still remembered");
    assert.equal(d.accept("opaque-0"), true, "pushed out of the window");
  });
});
