# syntax=docker/dockerfile:1
# Roller's container image: one image for every role (core, ui, worker, migrate, start), chosen by the
# command. See docs/deployment.md.
#
#   docker build -t roller:local .
#   docker run --rm roller:local --help

ARG NODE_IMAGE=node:20-bookworm-slim

# Production dependencies only. Vite and tsx are runtime dependencies of Roller (the web build and the
# TypeScript loader), so this tree also builds the web app.
FROM ${NODE_IMAGE} AS deps
WORKDIR /opt/roller
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# The web app, built once into dist/web.
FROM deps AS web
COPY scripts/build-web.mjs ./scripts/
COPY src ./src
RUN node scripts/build-web.mjs --force

FROM ${NODE_IMAGE} AS runtime
# The discovery tools. They get raw-socket capabilities as files so that the unprivileged user below
# can use them; the container must still be granted NET_RAW/NET_ADMIN (cap_add), and must not run with
# no-new-privileges, under which the kernel ignores file capabilities. nmap gets them too, for
# operators who run it with --privileged; Roller's own port scan is a TCP connect scan.
# The paths are those the Debian packages install (iputils-ping ships /bin/ping). curl serves the
# health checks and scripts/uptime-check.sh; tini reaps the scanners' orphans; postgresql-client
# (pg_dump and psql 15, as in Debian 12) is what `roller backup` and `roller restore` run, which is why
# compose pins PostgreSQL 15: pg_dump refuses a server newer than itself.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      ca-certificates curl tini libcap2-bin iproute2 iputils-ping fping arp-scan nmap postgresql-client \
 && setcap cap_net_raw,cap_net_admin+eip /bin/ping \
 && setcap cap_net_raw,cap_net_admin+eip /usr/bin/fping \
 && setcap cap_net_raw,cap_net_admin+eip /usr/sbin/arp-scan \
 && setcap cap_net_raw,cap_net_admin+eip /usr/bin/nmap \
 && rm -rf /var/lib/apt/lists/*

# A dedicated user with a fixed uid, so volume ownership and runAsNonRoot checks are predictable.
RUN groupadd --system --gid 10001 roller \
 && useradd --system --uid 10001 --gid roller --home-dir /var/lib/roller --no-create-home \
      --shell /usr/sbin/nologin roller \
 && install -d -o roller -g roller -m 0750 /var/lib/roller

WORKDIR /opt/roller
COPY --from=deps /opt/roller/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY bin ./bin
COPY src ./src
COPY --chmod=0755 scripts/uptime-check.sh ./scripts/uptime-check.sh
COPY --from=web /opt/roller/dist/web ./dist/web

# The UI listens on all interfaces of the container; core keeps its loopback default unless the
# deployment sets HTTP_ADDR (compose does, on a private network). The data directory holds the
# embedded database (roller start without DATABASE_URL) and the UI's users file.
ENV NODE_ENV=production \
    ROLLER_DATA_DIR=/var/lib/roller \
    UI_ADDR=:3000

USER 10001:10001
EXPOSE 3000 8081
# No HEALTHCHECK here: the right probe depends on the role (core /readyz, ui /healthz, none for a
# worker), so each deployment declares its own.
ENTRYPOINT ["tini", "--", "node", "/opt/roller/bin/roller.js"]
CMD ["start"]
