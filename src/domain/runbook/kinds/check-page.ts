/**
 * After a page answered, what it refers to (seed 001: "CSS loads, the front
 * page's external links work"): its stylesheets (`<link rel="stylesheet">`)
 * and its links to other sites (`<a href="http…">` on another host), each
 * fetched once. A link answers when its status is below 400.
 */
export type Follow = "stylesheets" | "links";

const TAG = /<(link|a)\b([^>]*)>/gi;
const attr = (attrs: string, name: string) =>
  new RegExp(`\\b${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, "i")
    .exec(attrs)
    ?.slice(1)
    .find(Boolean);

/** The URLs of a page's stylesheets and outside links, absolute, each once. */
export function referencedUrls(html: string, base: string, follow: readonly Follow[]): string[] {
  const out = new Set<string>();
  const home = new URL(base);
  for (const m of html.matchAll(TAG)) {
    const tag = m[1]!.toLowerCase();
    const href = attr(m[2]!, "href");
    if (!href) continue;
    let url: URL;
    try {
      url = new URL(href.replace(/&amp;/g, "&"), base);
    } catch {
      continue;
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") continue;
    url.hash = "";
    if (
      tag === "link" &&
      follow.includes("stylesheets") &&
      /(^|\s)stylesheet(\s|$)/i.test(attr(m[2]!, "rel") ?? "")
    )
      out.add(url.href);
    if (tag === "a" && follow.includes("links") && url.host !== home.host) out.add(url.href);
  }
  return [...out];
}

/** Fetches each URL once; the lines of those that failed (none: all answered). */
export async function failedUrls(urls: readonly string[], signal: AbortSignal): Promise<string[]> {
  const bad: string[] = [];
  for (const u of urls) {
    try {
      const res = await fetch(u, { signal: AbortSignal.any([signal, AbortSignal.timeout(30_000)]) });
      await res.arrayBuffer();
      if (res.status >= 400) bad.push(`${u} → ${res.status}`);
    } catch (e) {
      bad.push(`${u} failed: ${(e as Error).message}`);
    }
  }
  return bad;
}
