# One image for the project's Node processes (api, worker, esl-bridge, codec-server); the command picks the role.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund || npm ci --no-audit --no-fund
COPY . .
USER node
ENTRYPOINT ["node", "bin/ivr.js"]
CMD ["--help"]
