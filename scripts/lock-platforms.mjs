// The npm registry reachable from the build machines carries only some platforms'
// builds of packages with per-platform optional binaries (@biomejs/cli-*,
// @msgpackr-extract/*), so `npm install` leaves the others out of
// package-lock.json and `npm ci` then refuses the lock as out of sync. This adds
// the missing optional entries with their os/cpu, which npm ci skips on other
// platforms without fetching them. Run after changing dependencies:
//   npm install && node scripts/lock-platforms.mjs
import { readFileSync, writeFileSync } from "node:fs";

const file = new URL("../package-lock.json", import.meta.url);
const lock = JSON.parse(readFileSync(file, "utf8"));
const OS = { android: "android", darwin: "darwin", linux: "linux", win32: "win32", freebsd: "freebsd" };
const CPU = ["arm64", "x64", "arm", "ia32"];
let added = 0;
for (const [path, entry] of Object.entries(lock.packages)) {
  for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const where = `${path ? `${path}/` : ""}node_modules/${dep}`;
    if (lock.packages[where] || lock.packages[`node_modules/${dep}`]) continue;
    const parts = dep.split("/").pop().split("-");
    const os = parts.find((p) => OS[p]);
    const cpu = parts.find((p) => CPU.includes(p));
    if (!os || !cpu) continue;
    const e = { version, optional: true, os: [os], cpu: [cpu] };
    if (parts.includes("musl")) e.libc = ["musl"];
    if (entry.dev) e.dev = true;
    lock.packages[`node_modules/${dep}`] = e;
    added++;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b))),
);
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`lock-platforms: added ${added} optional platform entries`);
