# One image for the project's Node processes (api, worker, esl-bridge, codec-server); the command picks the role.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
# espeak-ng: French prompts synthesized by the voice worker.
RUN apt-get update && apt-get install -y --no-install-recommends espeak-ng && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm install --no-audit --no-fund
COPY . .
USER node
ENTRYPOINT ["node", "bin/ivr.js"]
CMD ["--help"]
