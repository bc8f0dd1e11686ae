#!/usr/bin/env bash
# pia-graph demo: the whole pipeline on the sample assessments shipped in examples/.
# Run by `make demo` (which puts the venv's bin on PATH); works from a fresh clone.
# Outputs go to ./demo-out (removed and rebuilt on every run).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${DEMO_OUT:-demo-out}"
store="$out/store"

step() {
  printf '\n\033[1m== %s ==\033[0m\n' "$*"
}

command -v pia-graph >/dev/null || { echo "pia-graph is not on PATH (run: make demo)" >&2; exit 2; }

shopt -s nullglob
texts=("$here"/*.txt "$here"/*.pdf)
records=("$here"/*.json)
shopt -u nullglob
# The samples are assessment texts; the *.expected.json beside them are their expected
# records (for tests), so JSON records are built only when there is no text to read.
if [ "${#texts[@]}" -gt 0 ]; then
  inputs=("${texts[@]}")
else
  inputs=("${records[@]}")
fi
if [ "${#inputs[@]}" -eq 0 ]; then
  echo "no sample assessments (*.txt, *.pdf, *.json) in $here" >&2
  exit 2
fi

rm -rf "$out"
mkdir -p "$out"

if [ "${#texts[@]}" -gt 0 ]; then
  first="${texts[0]}"
  step "1. extract: read one assessment ($(basename "$first")) into a JSON record"
  pia-graph extract "$first" > "$out/$(basename "${first%.*}").json"
  echo "wrote $out/$(basename "${first%.*}").json; its first lines:"
  head -n 20 "$out/$(basename "${first%.*}").json"
else
  step "1. extract: skipped (no .txt/.pdf samples; the JSON records are used as they are)"
fi

step "2. build: extract and convert every sample into the store $store (one named graph per assessment)"
pia-graph build "${inputs[@]}" --store "$store"

step "3. build again: unchanged files are skipped"
pia-graph build "${inputs[@]}" --store "$store"

step "4. validate: SHACL checks of every assessment in the store (exit 1 = violations, listed below)"
set +e
pia-graph validate --store "$store"
status=$?
set -e
case "$status" in
  0) echo "(validate: every assessment conforms)" ;;
  1) echo "(validate: violations reported; the demo goes on)" ;;
  *) echo "(validate failed with exit $status)" >&2; exit "$status" ;;
esac

step "5. query --list: the named auditor queries"
pia-graph query --list

step "6. query assessments: what is in the store"
pia-graph query assessments --store "$store"

step "7. query files-to-recipient --param recipient=日本年金機構: files reaching the Japan Pension Service"
pia-graph query files-to-recipient --param recipient=日本年金機構 --store "$store"

step "8. query contractors: who handles files for which body and 事務 (CSV)"
pia-graph query contractors --store "$store" --format csv

step "9. query vendor-concentration: vendors ranked by the bodies relying on them"
pia-graph query vendor-concentration --store "$store"

step "10. query risky-methods: provisions by e-mail, flash memory or paper"
pia-graph query risky-methods --store "$store"

step "11. query laws-cited: the laws cited most"
pia-graph query laws-cited --store "$store"

step "12. trace --to 日本年金機構: every path by which data reaches it (body, 事務, file, method, legal basis, lines)"
pia-graph trace --to 日本年金機構 --store "$store"

step "13. export-rdf: the whole store as TriG"
pia-graph export-rdf --store "$store" --format trig -o "$out/store.trig"

step "14. analyze: vendor concentration, 委託 → 再委託 chains, recipients by method"
pia-graph analyze --store "$store" --recipient 日本年金機構 --limit 10

step "15. export: the flow graph for a browser (one offline HTML file), Gephi/yEd (GraphML) and spreadsheets (CSV)"
pia-graph export --store "$store" --format html -o "$out/flows.html" --title "pia-graph demo"
pia-graph export --store "$store" --format graphml -o "$out/flows.graphml"
pia-graph export --store "$store" --format csv -o "$out/flows.csv"
echo "wrote $out/flows.html (open it in a browser), $out/flows.graphml, $out/flows.csv"

echo
echo "demo finished; outputs in $out/"
