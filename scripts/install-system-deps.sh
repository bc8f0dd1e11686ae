#!/usr/bin/env bash
# System packages the test suite drives for real: Chromium (HTML export), Graphviz (DOT rendering),
# Japanese fonts (screenshots), and Virtuoso (remote SPARQL integration; optional where it cannot be had).
set -u
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
command -v dot >/dev/null 2>&1 || need+=(graphviz)
[ -d /usr/share/fonts/opentype/noto ] || need+=(fonts-noto-cjk)
[ -e /usr/share/fonts/opentype/ipafont-gothic/ipag.ttf ] || [ -e /usr/share/fonts/truetype/fonts-japanese-gothic.ttf ] || need+=(fonts-ipafont-gothic)
optional=()
command -v virtuoso-t >/dev/null 2>&1 || optional+=(virtuoso-opensource)
if [ ${#need[@]} -eq 0 ] && [ ${#optional[@]} -eq 0 ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1 || [ "$(id -u)" != 0 ]; then
  echo "install-system-deps: cannot install ${need[*]} ${optional[*]} (need root and apt-get); tests that need them will say so" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null 2>&1 || echo "install-system-deps: apt-get update failed" >&2
if [ ${#need[@]} -gt 0 ]; then
  echo "install-system-deps: installing ${need[*]}"
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null || {
    echo "install-system-deps: failed to install ${need[*]}" >&2; exit 1; }
fi
if [ ${#optional[@]} -gt 0 ]; then
  echo "install-system-deps: installing ${optional[*]} (optional)"
  apt-get install -y -qq --no-install-recommends "${optional[@]}" >/dev/null 2>&1 \
    || echo "install-system-deps: ${optional[*]} not installable here; the Virtuoso integration tests will skip" >&2
fi
exit 0
