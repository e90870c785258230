import { webApi } from "@slack/bolt";
import { describe, expect, it } from "vitest";
import { outcome } from "../../../src/bot/slack/post-once.js";

const platform = (error: string) => new webApi.WebAPIPlatformError({ ok: false, error } as never);

describe("whether a failed chat.postMessage may have posted", () => {
  it("a 429 (or ratelimited) did not post: retried after Retry-After", () => {
    expect(outcome(new webApi.WebAPIRateLimitedError(3))).toEqual({ posted: "no", retryAfterS: 3 });
    expect(outcome(platform("ratelimited"))).toEqual({ posted: "no" });
  });

  it("a 5xx, a dropped connection or internal_error may have posted: look before posting again", () => {
    for (const status of [500, 502, 503, 504])
      expect(outcome(new webApi.WebAPIHTTPError(status, "x", {}, ""))).toEqual({ posted: "unknown" });
    expect(outcome(new webApi.WebAPIRequestError(new Error("socket hang up")))).toEqual({
      posted: "unknown",
    });
    expect(outcome(platform("internal_error"))).toEqual({ posted: "unknown" });
  });

  it("a refusal is not retried here", () => {
    expect(outcome(platform("not_in_channel"))).toBeUndefined();
    expect(outcome(new Error("something else"))).toBeUndefined();
  });
});
