# syntax=docker/dockerfile:1
# Build stage: compile TypeScript with the dev dependencies.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` builds the app for `npx` installs from git, before src/ is here.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
RUN npm run build

# Final stage: production dependencies and the compiled app only, run as a non-root user.
FROM node:22-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 MAINLINE_SHUTDOWN_GRACE_SECONDS=25
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY app.yml ./
USER node
EXPOSE 3000
# Docker-format images only: buildah/podman building in OCI format (their default) drop
# HEALTHCHECK. Kubernetes ignores it anyway; probe there with httpGet
# on /healthz (liveness) and /readyz (readiness), and in compose with the same node one-liner
# (see README, "Operate"). The one-liner needs nothing but node, which the image has.
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node is PID 1 itself (no npm, no shell): SIGTERM reaches mainline, which drains in-flight
# deliveries and exits 0 within MAINLINE_SHUTDOWN_GRACE_SECONDS. Run with `docker run --init`
# (or tini) if you want zombie reaping; mainline starts no subprocesses.
STOPSIGNAL SIGTERM
CMD ["node", "dist/main.js"]
