#!/usr/bin/env bash
# Regenerates the golden reports of test/sniffer/golden from the ORIGINAL Perl Report.pm (run from
# ../shared/reference, see its README). Run by hand when fixtures change; the tests only read the result.
# Each golden is made three times under different Perl hash seeds and must come out the same (the
# original orders some ties by hash order; the fixtures are generated to avoid those ties).
set -euo pipefail
cd "$(dirname "$0")"
reference=${REFERENCE:-../../../shared/reference}
for fixture in formats-example seed1-40 seed2-300; do
  for type in 0 1; do
    out="golden/$fixture.$type.txt"
    PERL_HASH_SEED=0 perl "$reference/sniffer/report.pl" "fixtures/$fixture.stats" "$type" > "$out"
    for seed in 1 2; do
      PERL_HASH_SEED=$seed perl "$reference/sniffer/report.pl" "fixtures/$fixture.stats" "$type" | cmp -s - "$out" \
        || { echo "$fixture type $type depends on Perl's hash order" >&2; exit 1; }
    done
  done
done
echo "goldens written to $(pwd)/golden"
