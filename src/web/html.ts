/**
 * Server-rendered HTML: a tagged template that escapes every value unless it is
 * already Html (built by this same tag, or `raw` for trusted constant markup).
 */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESC: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export const esc = (v: unknown): string => String(v).replace(/[&<>"']/g, (c) => ESC[c]!);

/** Markup the program itself wrote (never text from users, chat or the config). */
export const raw = (s: string) => new Html(s);

type Value = Html | string | number | boolean | null | undefined | readonly Value[];

function render(v: Value): string {
  if (v === null || v === undefined || v === false) return "";
  if (v instanceof Html) return v.value;
  if (Array.isArray(v)) return v.map(render).join("");
  return esc(v);
}

export function html(strings: TemplateStringsArray, ...values: Value[]): Html {
  let out = strings[0]!;
  values.forEach((v, i) => {
    out += render(v) + strings[i + 1]!;
  });
  return new Html(out);
}

export const utc = (t: number | undefined) =>
  t === undefined ? "" : `${new Date(t).toISOString().slice(0, 16).replace("T", " ")} UTC`;

/** A <time> element: UTC text, ISO datetime for machines. */
export const time = (t: number | undefined) =>
  t === undefined ? html`` : html`<time datetime="${new Date(t).toISOString()}">${utc(t)}</time>`;

const CSS = `
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d232a;background:#f6f7f9}
header{background:#24303c;color:#fff;padding:.6em 1.2em;display:flex;gap:1.2em;align-items:baseline}
header a{color:#cfe3ff;text-decoration:none}header strong{font-size:1.1em}
main{max-width:72em;margin:1em auto;padding:0 1.2em}
h1{font-size:1.4em;margin:.4em 0}h2{font-size:1.1em;margin:1.2em 0 .4em}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{text-align:left;padding:.3em .6em;border-bottom:1px solid #e3e6ea;vertical-align:top}
th{background:#eef1f4;font-weight:600}
code,pre{font-family:ui-monospace,monospace;font-size:.92em}
pre.log{background:#111820;color:#d8e1ea;padding:.8em;overflow:auto;max-height:70vh;white-space:pre-wrap}
.st{display:inline-block;padding:0 .5em;border-radius:.8em;font-size:.85em;background:#e3e6ea}
.st-done,.st-completed,.st-sent,.st-finished{background:#cdeccf}.st-running,.st-in-progress,.st-started,.st-waiting{background:#cfe0ff}
.st-failed,.st-aborted,.st-undo-failed,.st-interrupted,.st-late,.st-dropped{background:#ffd2cc}
.st-rehearsal{background:#e6d9ff}.st-awaiting-ack,.st-awaiting-confirm,.st-due,.st-scheduled{background:#fff0c2}.st-skipped,.st-cancelled,.st-undone{background:#e8e8e8}
.hint{background:#fff;border-left:4px solid #3d7be0;padding:.5em .8em;margin:.8em 0}
.muted{color:#66707a}.live{font-size:.8em;color:#66707a}
svg{background:#fff;max-width:100%}
`;

export interface PageOptions {
  title: string;
  /** The SSE stream that patches #live (and appends to #log). */
  live?: string;
  /** CSP nonce for the inline style and script. */
  nonce: { script: string; style: string };
  /** Hide the internal navigation (the public status page). */
  public?: boolean;
  head?: Html;
}

export function page(o: PageOptions, body: Html): string {
  const nav = o.public
    ? html`<a href="/status">Status</a><a href="/status.atom">Atom feed</a>`
    : html`<a href="/">Overview</a><a href="/downtimes">Downtimes</a><a href="/downtimes.ics">Calendar</a>`;
  const script = o.live
    ? html`<script nonce="${o.nonce.script}">${raw(liveScript(o.live))}</script>`
    : html``;
  return `<!doctype html>${html`<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${o.title}</title><style nonce="${o.nonce.style}">${raw(CSS)}</style>${o.head}
${o.live ? html`<noscript><meta http-equiv="refresh" content="15"></noscript>` : ""}
</head><body><header><strong>changebot</strong>${nav}</header><main>${body}
${o.live ? html`<p class="live" id="live-state">live: connecting…</p>` : ""}</main>${script}</body></html>`}`;
}

/** Patches the page from the SSE stream; EventSource reconnects by itself after a drop. */
function liveScript(url: string): string {
  return `(function(){var s=document.getElementById("live-state");
function go(){var es=new EventSource(${JSON.stringify(url)});
es.onopen=function(){s.textContent="live: updates as they happen"};
es.onerror=function(){s.textContent="live: reconnecting…"};
es.addEventListener("update",function(e){var m=document.getElementById("live");if(m)m.innerHTML=e.data});
es.addEventListener("append",function(e){var l=document.getElementById("log");if(l){l.appendChild(document.createTextNode(JSON.parse(e.data)));l.scrollTop=l.scrollHeight}});}
go();})();`;
}
