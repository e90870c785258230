// The floor of bench/irc-latency.ts: a bare irc-framework bot in a process of its own,
// answering "!help" with one line. Usage: node bench/echo-bot.mjs <port> <channel>
import { Client } from "irc-framework";

const [port, channel] = process.argv.slice(2);
const echo = new Client();
echo.on("registered", () => echo.join(channel));
echo.on("join", (e) => {
  if (e.nick === echo.user.nick) process.stdout.write("joined\n");
});
echo.on("socket connected", () => echo.connection.transport?.socket?.setNoDelay?.(true));
echo.on("privmsg", (e) => {
  if (e.message === "!help") echo.say(e.target, "help: the commands you may run");
});
echo.connect({ host: "127.0.0.1", port: Number(port), nick: "echobot", auto_reconnect: false });
process.on("SIGTERM", () => process.exit(0));
