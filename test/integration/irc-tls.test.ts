import { test as base } from "../harness/fixtures.js";

// ngircd serving TLS on its port (a fresh self-signed certificate); the bot and
// the people of ircWorld connect with TLS, accepting that certificate.
const test = base.override("ngircdOptions", { scope: "file" }, { tls: true });

test("changebot on IRC over TLS (ngircd): connects, joins, and answers", async ({ ircBot, ircUser }) => {
  await ircBot({ channels: ["#tls"] });
  const gina = await ircUser("gina");
  await gina.join("#tls");
  gina.say("#tls", "changebot: whoami");
  await gina.waitForLine("changebot", /gina!~gina@127\.0\.0\.1/);
});
