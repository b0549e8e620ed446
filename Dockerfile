# One image for the project's Node processes (api, worker, esl-bridge, codec-server); the command picks the role.

# The portal (web/portal, React + Vite): built here with the development packages, so the image serves /portal
# with no build step of its own; only the build's output goes into the image.
FROM node:20-bookworm-slim AS portal
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY web/portal web/portal
RUN npm run build:portal && test -f web/portal/dist/index.html

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
# espeak-ng: French prompts synthesized by the voice worker.
RUN apt-get update && apt-get install -y --no-install-recommends espeak-ng && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# The lock as committed, without the development packages (tsx, the product's only runner, is a dependency).
RUN npm ci --omit=dev --no-audit --no-fund
COPY . .
# Where the API serves the portal from (api/app.ts, PORTAL_DIST); .dockerignore keeps a local build out.
COPY --from=portal /app/web/portal/dist web/portal/dist
USER node
ENTRYPOINT ["node", "bin/ivr.js"]
CMD ["--help"]
