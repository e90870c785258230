# changebot, built for production-like use (see docker-compose.yml).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build.mjs ./scripts/
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
# The config is mounted at /etc/changebot. A config that does not say `runbooks:` uses the
# runbooks this image ships (CHANGEBOT_RUNBOOKS), not ./runbooks beside the mounted config.
ENV CHANGEBOT_CONFIG=/etc/changebot/changebot.yaml
ENV CHANGEBOT_RUNBOOKS=/app/runbooks
# The web server's port when the config does not set web.port (/readyz for the health check).
ENV CHANGEBOT_WEB_PORT=8080
WORKDIR /app
# tini: a real init as PID 1, which passes SIGTERM on to the bot (so running jobs finish)
# and reaps what local steps leave behind. OpenSSH's client tools are handy for checking
# host keys (ssh-keygen -lf) from inside the container.
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini openssh-client ca-certificates \
  && rm -rf /var/lib/apt/lists/*
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY runbooks ./runbooks
USER node
# The memory flags bin/changebot.js starts with (README, "Running it for real"): about 30 MB less resident.
ENTRYPOINT ["/usr/bin/tini", "--", "node", "--max-semi-space-size=1", "--v8-pool-size=2", "--initial-old-space-size=8", "dist/main.js"]
CMD ["run"]
# Healthy while /readyz says ready: the bot's Redis answers and every configured chat network is
# connected (the body names what is not). It asks the bot's own web server inside the container.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.CHANGEBOT_WEB_PORT||8080)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
