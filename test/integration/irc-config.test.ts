import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, expect, it } from "vitest";
import { ROOT } from "../harness/child.js";

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "changebot-ircconf-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function validate(yaml: string): Promise<{ code: number; out: string }> {
  const file = join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, yaml);
  try {
    const r = await run(process.execPath, ["--import", "tsx", "src/main.ts", "validate", "--config", file], {
      cwd: ROOT,
    });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, out: err.stdout + err.stderr };
  }
}

const irc = (extra = "") => `
networks:
  irc:
    host: 127.0.0.1
    port: 6667
    tls: false
    channels: ["#launchpad-dev"]
${extra}
`;

it("changebot validate refuses a bare-nick role rule unless it is marked insecure", async () => {
  const refused = await validate(`${irc()}roles:\n  lead: ["irc:nick:alice"]\n`);
  expect(refused.code).toBe(2);
  expect(refused.out).toContain('roles.lead[0]: "irc:nick:alice" matches a bare IRC nick');
  expect(refused.out).toContain("allowInsecureNickRules");

  const allowed = await validate(
    `${irc("    allowInsecureNickRules: true")}roles:\n  lead: ["irc:nick:alice"]\n`,
  );
  expect(allowed.out).toContain("config OK");
  expect(allowed.code).toBe(0);
});

it("changebot validate explains an incomplete SASL setup", async () => {
  const plain = await validate(irc("    sasl: { account: changebot }"));
  expect(plain.code).toBe(2);
  expect(plain.out).toContain("networks.irc.sasl.password: SASL PLAIN needs a password");
  const external = await validate(irc("    sasl: { mechanism: EXTERNAL }"));
  expect(external.out).toContain(
    "networks.irc.sasl.cert: SASL EXTERNAL needs a client certificate cert file",
  );
  expect(external.out).toContain("networks.irc.tls: SASL EXTERNAL needs tls: true");
});
