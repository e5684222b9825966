# auth0-usage container image: `docker build -t auth0-usage:0.1.0 .`
#
# Node 24 is the LTS line supported longest of those CI tests (20, 22, 24): maintenance until April 2028, where
# Node 22's ends in April 2027. The slim (Debian, glibc) variant needs nothing more: every production dependency is
# plain JavaScript. Pin the base image by digest in your registry if your policy asks for it.

# Build stage: dev dependencies (TypeScript), then `npm pack`, whose prepack script builds dist/. The tarball holds
# exactly the files the package ships (package.json, README.md, dist/, config/).
FROM node:24-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json README.md ./
COPY src ./src
COPY config ./config
RUN npm pack --pack-destination /tmp \
 && mkdir /app \
 && tar -xzf /tmp/auth0-usage-*.tgz -C /app --strip-components=1

# Runtime stage: the packed files and production dependencies only, installed from the lockfile.
FROM node:24-slim
ENV NODE_ENV=production
# The main thread's young generation at 4 MB a semi-space instead of V8's 16: at 16 it grows to its limit on long
# reads and holds tens of MB more at the peak (docs/performance.md, "Peak RSS from 1x to 4x"). A flag of the
# process, here rather than in dist/cli.js's first line: `#!/usr/bin/env -S` is not in every env (BusyBox's).
ENV NODE_OPTIONS=--max-semi-space-size=4
# glibc keeps up to 64 MiB free at the top of each malloc heap instead of handing it back to the kernel at once. The
# gunzip output is a new 1 MiB buffer per chunk, freed a moment later: without the pad, each often lands on pages
# handed back since and faulted in again, 256 faults a MiB (a tenth of the job's CPU on one archive). 64 MiB is the
# size of a thread's heap, so those are never trimmed; a smaller pad is worse than none, since setting any of these
# variables also stops glibc raising its 128 KiB mmap threshold. A backfill of thousands of small tenants into a local
# state pays about 3% in time and 10% in peak memory for it (docs/performance.md, "Page faults and glibc's pad").
ENV MALLOC_TOP_PAD_=67108864
WORKDIR /app
COPY --from=build /app ./
COPY package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force \
 && chmod 0755 dist/cli.js \
 && ln -s /app/dist/cli.js /usr/local/bin/auth0-usage \
 && mkdir /work \
 && chown 1000:1000 /work
# The image's `node` user, by number so that Kubernetes' runAsNonRoot can check it. /app stays root's, read-only to
# the job; /work is the working directory, where relative paths (./out) land. The default spool of a run whose state
# is on S3 is $XDG_STATE_HOME/auth0-usage/spool: under /work too, not in /home/node, the container's own layer,
# which goes with the container (after an exit 3 the spool holds the only copy of the events it keeps). Mount the
# archives beside it (--input /work/archives): an --input of /work itself holds the spool, and is refused.
ENV XDG_STATE_HOME=/work/.local/state
USER 1000:1000
WORKDIR /work
# No init is needed: node runs as process 1, and the job itself ends on a SIGTERM or SIGINT it is not handling
# (README "Stopping a run"), which the kernel would otherwise ignore for process 1.
ENTRYPOINT ["auth0-usage"]
CMD ["--help"]
