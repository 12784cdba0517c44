# syntax=docker/dockerfile:1

# --- deps: production dependencies only; `prepare` bundles the partner frontend into web/dist ---
FROM node:24-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# npm ci resolves the file: link of this dev-only package even when dev dependencies are left out.
COPY tools/openapi-client-types/package.json ./tools/openapi-client-types/
COPY scripts/require-node.mjs scripts/build-web.ts ./scripts/
COPY web ./web
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force && test -s web/dist/mutualfit.js

# --- runtime ---
FROM node:24-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/app/data
WORKDIR /app

COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
# `npm run key` and `npm run migrate` check the Node version with it first.
COPY scripts/require-node.mjs ./scripts/
COPY src ./src
COPY migrations ./migrations
COPY questionnaires ./questionnaires
COPY --from=deps /app/web/app ./web/app
COPY --from=deps /app/web/dist ./web/dist

# Embedded PGlite data (used when DATABASE_URL is not set); mount a volume here to keep it.
RUN mkdir -p /app/data && chown node:node /app/data

USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=5 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:3000/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"]

# Node 24 strips TypeScript types natively; the sources import with .ts extensions.
CMD ["node", "src/server.ts"]
