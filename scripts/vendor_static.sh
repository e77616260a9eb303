#!/usr/bin/env bash
# Vendor the web app's browser libraries from the npm registry into otklik/web/static/vendor/.
# Why: the app must run without any CDN (offline installs, strict Content-Security-Policy).
# Usage: scripts/vendor_static.sh            (versions pinned below; commit the result)
set -euo pipefail

HTMX_VERSION="${HTMX_VERSION:-2.0.4}"
ECHARTS_VERSION="${ECHARTS_VERSION:-5.6.0}"
SWAGGER_VERSION="${SWAGGER_VERSION:-5.18.2}"

here="$(cd "$(dirname "$0")/.." && pwd)"
dest="$here/otklik/web/static/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$work"
npm pack --silent "htmx.org@${HTMX_VERSION}" "echarts@${ECHARTS_VERSION}" \
  "swagger-ui-dist@${SWAGGER_VERSION}" >/dev/null
mkdir -p htmx echarts swagger
tar -xzf "htmx.org-${HTMX_VERSION}.tgz" -C htmx
tar -xzf "echarts-${ECHARTS_VERSION}.tgz" -C echarts
tar -xzf "swagger-ui-dist-${SWAGGER_VERSION}.tgz" -C swagger

mkdir -p "$dest"
cp htmx/package/dist/htmx.min.js "$dest/htmx.min.js"
cp echarts/package/dist/echarts.min.js "$dest/echarts.min.js"
cp swagger/package/swagger-ui-bundle.js "$dest/swagger-ui-bundle.js"
cp swagger/package/swagger-ui.css "$dest/swagger-ui.css"
cp swagger/package/LICENSE "$dest/swagger-ui.LICENSE"
cp htmx/package/LICENSE "$dest/htmx.LICENSE"
cp echarts/package/LICENSE "$dest/echarts.LICENSE"
printf 'htmx.org %s\necharts %s\nswagger-ui-dist %s\n' "$HTMX_VERSION" "$ECHARTS_VERSION" "$SWAGGER_VERSION" > "$dest/VERSIONS"
echo "vendored into $dest:"
ls -l "$dest"
