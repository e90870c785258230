import { issueLoginToken, webBaseUrl, webSecret } from "../infra/web-login.js";
import { noArgs } from "./args.js";
import { type Command, command } from "./types.js";

/**
 * `!web login`: a one-time, short-lived link to the web pages that signs the
 * asker in as their chat identity (so their roles apply there). It is sent
 * privately: on IRC a private message, on Slack a direct message, on the console
 * the reply itself. The link is never logged.
 */
export const webCommands: Command[] = [
  command({
    family: "web",
    name: "login",
    usage: "!web login",
    summary: "a private one-time link that signs you in to the web pages",
    args: noArgs,
    roles: [],
    async run(ctx) {
      const { services: s, msg } = ctx;
      const web = s.config.web;
      const base = web.enabled ? await webBaseUrl(s.redis, s.prefix, web.baseUrl) : undefined;
      if (!base) {
        await ctx.reply(
          "The web pages are not being served (web.enabled is off, or no web server has started).",
        );
        return;
      }
      if (!web.auth) {
        await ctx.reply(`The web pages need no login here: ${base}/`);
        return;
      }
      if (!web.auth.loginLinks) {
        await ctx.reply(
          "Login links are off (web.auth.loginLinks: false); sign in through the proxy instead.",
        );
        return;
      }
      const secret = await webSecret(s.redis, s.prefix, web.auth.secret);
      const token = issueLoginToken(secret, msg.user, s.clock.now(), web.auth.loginTtl);
      const minutes = Math.max(1, Math.round(web.auth.loginTtl / 60_000));
      const text = `Your login link (works once, for ${minutes} min; do not share it): ${base}/login/${token}`;
      // Private: the sender (IRC nick, Slack user id) rather than the channel; the console has only one place.
      const target = msg.network === "console" ? msg.channel : msg.user.id;
      if (target !== msg.channel) await ctx.reply(`${msg.user.display}: I sent you a login link privately.`);
      await s.outbox.send({ network: msg.network, target, kind: "reply", text });
    },
  }),
];
