import { z } from "zod";
import { durationField } from "../core/duration.js";
import { redisField } from "./redis-schema.js";
import { webSchema } from "./web.js";

/**
 * The configuration file, validated at start and by `changebot validate`.
 * Every section is optional; omitted sections take the defaults documented in
 * docs/configuration.md.
 */

const identityRule = z
  .string()
  .regex(
    /^(console:[^\s:]+|irc:(account:[^\s]+|mask:[^\s]+|nick:[^\s]+)|slack:[A-Z0-9]+(:[A-Z0-9]+)?|web:[^\s:]+)$/,
    "expected console:NAME, irc:account:NAME, irc:mask:nick!user@host, slack:UXXXX, slack:TXXXX:UXXXX or web:USER",
  );

const consoleNet = z.strictObject({
  /** You type as console:<user>. */
  user: z.string().min(1).default("operator"),
  /** The console's channel name, as announcement target `console:<channel>`. */
  channel: z.string().min(1).default("console"),
});

const ircNet = z.strictObject({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(6697),
  tls: z.boolean().default(true),
  /** Accept a TLS certificate that does not verify (test servers only). */
  tlsInsecure: z.boolean().default(false),
  nick: z.string().min(1).default("changebot"),
  username: z.string().optional(),
  realname: z.string().default("changebot"),
  password: z.string().optional(),
  channels: z.array(z.string().regex(/^[#&+!]/, "expected a channel name starting with #")).min(1),
  sasl: z
    .strictObject({
      mechanism: z.enum(["PLAIN", "EXTERNAL"]).default("PLAIN"),
      account: z.string().optional(),
      password: z.string().optional(),
      cert: z.string().optional(),
      key: z.string().optional(),
    })
    .optional(),
  /** Lines per second after the initial burst (the server's flood limit). */
  linesPerSecond: z.number().positive().default(1),
  burst: z.number().int().positive().default(4),
  /** Allow `irc:nick:` role rules (spoofable by a nick change). */
  allowInsecureNickRules: z.boolean().default(false),
});

/** SASL settings that cannot work are refused at load, naming the key. */
const ircNetChecked = ircNet.superRefine((irc, ctx) => {
  const s = irc.sasl;
  if (!s) return;
  if (s.mechanism === "PLAIN" && !s.password)
    ctx.addIssue({ code: "custom", path: ["sasl", "password"], message: "SASL PLAIN needs a password" });
  if (s.mechanism === "EXTERNAL") {
    for (const k of ["cert", "key"] as const)
      if (!s[k])
        ctx.addIssue({
          code: "custom",
          path: ["sasl", k],
          message: `SASL EXTERNAL needs a client certificate ${k} file (PEM)`,
        });
    if (!irc.tls)
      ctx.addIssue({
        code: "custom",
        path: ["tls"],
        message: "SASL EXTERNAL needs tls: true (the certificate is the login)",
      });
  }
});

const slackNet = z
  .strictObject({
    botToken: z.string().min(1),
    appToken: z.string().optional(),
    signingSecret: z.string().optional(),
    port: z.number().int().min(0).max(65535).default(3000),
    /** HTTP mode: the address to listen on (default: every interface). */
    host: z.string().min(1).optional(),
    /** Channel ids, or names ("#launchpad-dev"), which the adapter resolves to ids at start. */
    channels: z
      .array(
        z
          .string()
          .regex(
            /^([CG][A-Z0-9]{2,}|#[a-z0-9][a-z0-9._-]{0,79})$/,
            "expected a channel id like C0123456 or a name like #launchpad-dev",
          ),
      )
      .default([]),
    apiUrl: z.string().url().optional(),
    /** HTTP mode: the public address Slack reaches the bot at (the manifest's request URLs). */
    publicUrl: z.string().url().optional(),
  })
  .refine((s) => s.appToken || s.signingSecret, {
    message: "needs appToken (Socket Mode) or signingSecret (HTTP Events API)",
    path: ["appToken"],
  });

/** The host name that means the bot's own host wherever a step names a host. */
export const LOCAL_HOST = "local";

const hostSpec = z.strictObject({
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).default(22),
  user: z.string().min(1),
  /** Private key file; `~` is expanded. Omit to use ssh-agent (SSH_AUTH_SOCK). */
  key: z.string().optional(),
  /** Name of the environment variable holding the key's passphrase. */
  passphraseEnv: z.string().optional(),
  /** Pinned host key, "SHA256:…" as `ssh-keygen -lf` prints it. */
  hostKey: z
    .string()
    .regex(
      /^SHA256:[A-Za-z0-9+/]{43}$/,
      'expected "SHA256:" and 43 base64 characters, as `ssh-keygen -lf` prints it',
    )
    .optional(),
  /** A known_hosts file to check the host key against instead. */
  knownHosts: z.string().optional(),
  /** Another entry of `hosts:` to jump through (the bastion pattern). */
  jump: z.string().optional(),
  keepaliveMs: durationField.default(15_000),
  timeout: durationField.default(600_000),
});

/** A command run on a host as a step (RC mode's remote steps). */
const remoteStep = z.strictObject({
  /** Entry of `hosts:`; omitted or "local": the bot's own host. */
  host: z.string().min(1).optional(),
  argv: z.array(z.string()).min(1),
  timeout: durationField.default(600_000),
  /** Safe to run again automatically if the bot died while it ran. */
  idempotent: z.boolean().default(false),
});

const leadTimes = z.strictObject({
  mergeCutoff: durationField.default(48 * 3_600_000),
  reminder: durationField.default(4 * 3_600_000),
  earlyPause: durationField.default(30 * 60_000),
  offTrack: durationField.default(30 * 60_000),
  backupNotice: durationField.default(24 * 3_600_000),
});

export const configSchema = z.strictObject({
  /** Name the bot answers to when addressed (`changebot: help`). */
  name: z.string().min(1).default("changebot"),
  prefix: z.string().min(1).max(3).default("!"),
  /**
   * Redis URL, or a Sentinel-managed primary ({ sentinels, name, … }: docs/operations.md);
   * omitted → REDIS_URL, else a private redis-server the bot starts itself.
   */
  redis: redisField.optional(),
  /** Prefix of every Redis key the bot writes (several bots may share one Redis). */
  keyPrefix: z.string().min(1).default("changebot"),
  /** Where the private Redis and the log live. */
  dataDir: z.string().default("./data"),
  log: z
    .strictObject({
      level: z.enum(["trace", "debug", "info", "warn", "error", "fatal"]).default("info"),
      file: z.string().optional(),
    })
    .prefault({}),
  networks: z
    .strictObject({
      console: consoleNet.optional(),
      irc: ircNetChecked.optional(),
      slack: slackNet.optional(),
    })
    .default({}),
  roles: z.record(z.string().min(1), z.array(identityRule)).default({}),
  /** Command → roles that may run it; "family" or "family sub". Merged over the defaults. */
  permissions: z.record(z.string().min(1), z.array(z.string().min(1))).default({}),
  hosts: z.record(z.string().min(1), hostSpec).default({}),
  lpndt: z
    .strictObject({
      host: z.string().min(1),
      user: z.string().optional(),
      services: z
        .array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "expected a plain service name"))
        .min(1),
      command: z.array(z.string().min(1)).min(1).default(["lpndt"]),
      timeout: durationField.default(600_000),
      /** Re-run automatically after the bot died mid-step (lpndt is not idempotent by default). */
      idempotent: z.boolean().default(false),
    })
    .optional(),
  /** Targets for announcements: "irc:#chan", "slack:C0123", "console:console", "webhook:https://…". */
  announce: z
    .array(z.string().regex(/^(irc|slack|console|webhook):.+$/, "expected NETWORK:TARGET"))
    .default([]),
  webhookSecret: z.string().optional(),
  rcMode: z
    .strictObject({
      segment: z.string().min(1).default("PQM in RC mode"),
      /** Channels whose topic carries the segment ("irc:#launchpad-dev"); default: every configured channel. */
      topics: z.array(z.string().regex(/^(irc|slack|console):.+$/, "expected NETWORK:CHANNEL")).optional(),
      /** Remote steps run, in order, before RC mode is turned on / off; the first failure stops the change. */
      onSteps: z.array(remoteStep).default([]),
      offSteps: z.array(remoteStep).default([]),
    })
    .prefault({}),
  runbooks: z.string().default("./runbooks"),
  downtime: z
    .strictObject({
      window: durationField.default(90 * 60_000),
      leadTimes: leadTimes.prefault({}),
      segment: z.string().default("Downtime in progress"),
      /** An announcement posted more than this after its due time is marked late. */
      lateAfter: durationField.default(120_000),
    })
    .prefault({}),
  jobs: z
    .strictObject({
      concurrency: z.number().int().positive().default(8),
      /** How long a worker's lock on a job lasts without renewal: a dead worker's job is noticed after this. */
      lockMs: durationField.default(15_000),
      stalledCheckMs: durationField.default(5_000),
      logCapBytes: z.number().int().positive().default(1_048_576),
      /** Lines of output shown in chat before `!job log` is needed. */
      chatLines: z.number().int().positive().default(10),
      /** At SIGTERM/SIGINT, how long running jobs get to finish before they are stopped and released. */
      shutdownGraceMs: durationField.default(10_000),
    })
    .prefault({}),
  /** `!db-budget <host>:<glob>`: per entry of `hosts:`, the folders whose logs a glob may read. */
  dbBudget: z
    .strictObject({
      logs: z
        .record(
          z.string().min(1),
          z
            .array(
              z
                .string()
                .regex(
                  /^\/[A-Za-z0-9._-][A-Za-z0-9._/-]*$/,
                  "expected an absolute folder other than / (letters, digits, . _ - /)",
                )
                .refine((p) => !p.split("/").includes(".."), "a log folder may not contain .."),
            )
            .min(1),
        )
        .default({}),
    })
    .prefault({}),
  /** Two different people for `next` and `confirm` of an irreversible step. */
  twoPersonRule: z.boolean().default(true),
  /** The bot's web pages, status page, health and metrics (src/config/web.ts). */
  web: webSchema.prefault({}),
});

export type Config = z.output<typeof configSchema>;
export type HostSpec = z.output<typeof hostSpec>;
export type RemoteStep = z.output<typeof remoteStep>;
export type IrcNetConfig = z.output<typeof ircNet>;
export type SlackNetConfig = z.output<typeof slackNet>;
export type ConsoleNetConfig = z.output<typeof consoleNet>;
export type LeadTimes = z.output<typeof leadTimes>;
