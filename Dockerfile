# Scimulator as a container: SCIM at http://<container>:8080/scim/v2, control API at /_mock.
#   docker build -t scimulator .
#   docker run --rm -p 8080:8080 scimulator                                    # empty directory
#   docker run --rm -p 8080:8080 -e SCIMULATOR_SEED_FILE=seeds/okta-like.json scimulator
#   docker run --rm -p 8080:8080 -v scimulator-data:/data -e SCIMULATOR_DATA=/data/scim.json scimulator
# Every flag is an environment variable SCIMULATOR_<FLAG> (-e SCIMULATOR_PROFILE=rfc), or pass flags after the
# image name (docker run scimulator serve --profile rfc). The image also runs `report` and `seed`.
ARG NODE_VERSION=20

FROM node:${NODE_VERSION}-alpine AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM node:${NODE_VERSION}-alpine AS runtime
ENV NODE_ENV=production \
    SCIMULATOR_HOST=0.0.0.0 \
    SCIMULATOR_PORT=8080 \
    SCIMULATOR_SHUTDOWN_GRACE=8000
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /src/dist ./dist
COPY seeds ./seeds
COPY LICENSE ./
# /data is where a --data file lives (SCIMULATOR_DATA=/data/scim.json); mount a volume there to keep it.
RUN mkdir /data && chown node:node /data
USER node
EXPOSE 8080
# No curl in the image: node asks the control API, on the port and path the variables set.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "const e=process.env;fetch(`http://127.0.0.1:${e.SCIMULATOR_PORT||8080}${e.SCIMULATOR_CONTROL_PATH||'/_mock'}/health`,{headers:e.SCIMULATOR_CONTROL_TOKEN?{authorization:`Bearer ${e.SCIMULATOR_CONTROL_TOKEN}`}:{}}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node is PID 1 and handles SIGTERM itself: in-flight requests get SCIMULATOR_SHUTDOWN_GRACE ms (8 s, inside
# docker stop's default 10 s), the data file is flushed, the exit code is 0.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "dist/cli.js"]
CMD ["serve"]
