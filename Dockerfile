# changebot, built for production-like use (see docker-compose.yml).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
# OpenSSH's client tools are handy for checking host keys (ssh-keygen -lf) from inside the container.
RUN apt-get update && apt-get install -y --no-install-recommends openssh-client ca-certificates && rm -rf /var/lib/apt/lists/*
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY runbooks ./runbooks
USER node
ENTRYPOINT ["node", "dist/main.js"]
CMD ["run", "--config", "/etc/changebot/changebot.yaml"]
