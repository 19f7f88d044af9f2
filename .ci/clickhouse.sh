#!/usr/bin/env bash
# Starts the Debian clickhouse-server (18.16) on 127.0.0.1:8123 (HTTP) and :9000 (native) from a minimal
# config in a scratch directory, without systemd, unless something already answers on :8123.
# Used by .ci/run for the ledger's ClickHouse tests. CH_DIR may be set to reuse a directory.
set -euo pipefail

if curl -sf http://127.0.0.1:8123/ping >/dev/null 2>&1; then
  exit 0
fi
command -v clickhouse-server >/dev/null || { echo "clickhouse-server is not installed" >&2; exit 1; }

CH_DIR="${CH_DIR:-$(mktemp -d /tmp/netledger-clickhouse.XXXXXX)}"
mkdir -p "$CH_DIR/log" "$CH_DIR/data/tmp" "$CH_DIR/data/user_files"
cat >"$CH_DIR/config.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$CH_DIR/log/server.log</log><errorlog>$CH_DIR/log/server.err.log</errorlog><size>100M</size><count>2</count></logger>
  <http_port>8123</http_port>
  <tcp_port>9000</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <max_connections>1024</max_connections>
  <keep_alive_timeout>3</keep_alive_timeout>
  <max_concurrent_queries>100</max_concurrent_queries>
  <uncompressed_cache_size>1073741824</uncompressed_cache_size>
  <mark_cache_size>536870912</mark_cache_size>
  <path>$CH_DIR/data/</path>
  <tmp_path>$CH_DIR/data/tmp/</tmp_path>
  <user_files_path>$CH_DIR/data/user_files/</user_files_path>
  <users_config>/etc/clickhouse-server/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mlock_executable>false</mlock_executable>
</yandex>
XML
chown -R clickhouse:clickhouse "$CH_DIR"
# The server must outlive this script: detach it from the shell's job control and its stdio.
setsid runuser -u clickhouse -- clickhouse-server --config-file="$CH_DIR/config.xml" \
  >"$CH_DIR/log/stdout.log" 2>&1 </dev/null &
for _ in $(seq 1 100); do
  curl -sf http://127.0.0.1:8123/ping >/dev/null 2>&1 && { echo "clickhouse-server ready (dir $CH_DIR)"; exit 0; }
  sleep 0.2
done
echo "clickhouse-server did not answer on 127.0.0.1:8123; see $CH_DIR/log" >&2
exit 1
