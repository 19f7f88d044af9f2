#!/usr/bin/env bash
# The peer tools the benchmarks run side by side with netledger, from Debian's packages. `npm run bench`
# calls this first; set NETLEDGER_BENCH_NO_INSTALL=1 to skip it. A package that cannot be installed is
# reported and its comparison printed as "not installed"; the benchmarks still run.
#   nfdump softflowd  - ledger: nfcapd files and `nfdump -s` top-N
#   tshark pmacct tcpdump argus-server argus-client - packet capture accounting
#   libnetaddr-ip-perl - the original Sniffer Report.pm (with NETLEDGER_REFERENCE)
#   python3-pika - the original tstat_send (with its reference copy)
set -u
export DEBIAN_FRONTEND=noninteractive
PACKAGES=(nfdump softflowd tshark pmacct tcpdump argus-server argus-client libnetaddr-ip-perl python3-pika)
missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
[ "${#missing[@]}" -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "bench peers not installed (needs root and apt-get): ${missing[*]}" >&2
  exit 0
fi
echo "installing bench peers: ${missing[*]}" >&2
apt-get -o DPkg::Lock::Timeout=300 update -qq >/dev/null 2>&1
for pkg in "${missing[@]}"; do
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "$pkg" >/dev/null 2>&1 ||
    echo "could not install $pkg: its comparison is skipped" >&2
done
# The packages start their daemons (nfcapd, pmacctd) on install on some systems; the benches start their own.
exit 0
