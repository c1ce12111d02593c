#!/usr/bin/env bash
# The alert rules as Prometheus sees them: deploy/prometheus/alerts.yml is what `shipchips alerts
# rules` prints for the repository's config.yaml, `promtool check rules` accepts it, and
# `promtool test rules` runs the scenarios of deploy/prometheus/alerts_test.yml (the same
# thresholds tests/unit/ops_alert_rules_test.cpp checks in-process). A changed threshold in a
# config moves the rendered rule with it.
source "$(dirname "$0")/lib.sh"
command -v promtool > /dev/null || fail "promtool is not installed (the test command installs Debian's prometheus)"

"$BIN" --config "$SRC/config.yaml" alerts rules > "$TMP/alerts.yml" 2> /dev/null || fail "alerts rules"
diff -u "$SRC/deploy/prometheus/alerts.yml" "$TMP/alerts.yml" || fail "deploy/prometheus/alerts.yml is stale: regenerate it with shipchips alerts rules"
promtool check rules "$SRC/deploy/prometheus/alerts.yml" > "$TMP/check.txt" 2>&1 || { cat "$TMP/check.txt" >&2; fail "promtool check rules"; }
grep -q "SUCCESS: 6 rules found" "$TMP/check.txt" || { cat "$TMP/check.txt" >&2; fail "expected 6 rules"; }
(cd "$SRC/deploy/prometheus" && promtool test rules alerts_test.yml) > "$TMP/test.txt" 2>&1 || { cat "$TMP/test.txt" >&2; fail "promtool test rules"; }

# Thresholds come from the configuration: a lower failure-rate threshold and a larger
# min_free_gb show up in the rules.
write_config "$TMP/ds" "$TMP/config.yaml"
sed -i -e 's/^  threshold_fail_rate: .*/  threshold_fail_rate: 0.2/' -e 's/^  min_free_gb: .*/  min_free_gb: 5/' "$TMP/config.yaml"
"$BIN" --config "$TMP/config.yaml" alerts rules --out "$TMP/custom.yml" 2> /dev/null || fail "alerts rules --out"
grep -q '> 0.2) and' "$TMP/custom.yml" || fail "threshold_fail_rate not in the FailureRate rule"
grep -q 'shipchips_disk_free_bytes < 5000000000' "$TMP/custom.yml" || fail "min_free_gb not in the DiskSpaceCritical rule"
promtool check rules "$TMP/custom.yml" > /dev/null || fail "the custom rules do not check"
echo "alert rules: 6 rules, promtool check and test pass"
