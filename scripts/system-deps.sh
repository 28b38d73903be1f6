#!/usr/bin/env bash
# The system packages the project needs beyond pip: headless Chromium (image export and
# the browser tests), Redis (the shared cache and rate-limit tests), LibreOffice Calc and
# Impress (the tests open every spreadsheet and slide deck we hand out in the real
# client) and poppler (PDF pages to images and text).
#
# Installs what is missing with apt-get when it can (root with apt-get); otherwise stops
# at once with the list and the command that installs it. `make test` and `.ci/run` both
# call it. IOME_SYSTEM_DEPS_NO_INSTALL=1 only checks.
#
# `make run` calls it with IOME_SYSTEM_DEPS_FOR=run: then only what the served app needs
# (Chromium, for image, slide and animation exports) is installed, and where it cannot
# be, one line says so and the script succeeds: the dashboard serves without exports.
set -uo pipefail

need=()
have() { command -v "$1" >/dev/null 2>&1; }
for_run=0
[ "${IOME_SYSTEM_DEPS_FOR:-test}" = "run" ] && for_run=1
have chromium || need+=(chromium)
if [ "$for_run" -eq 0 ]; then
  have redis-server || need+=(redis-server)
  have soffice || need+=(libreoffice-calc-nogui libreoffice-impress-nogui)
  { have pdftoppm && have pdftotext; } || need+=(poppler-utils)
fi

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi

if [ "${IOME_SYSTEM_DEPS_NO_INSTALL:-0}" != "1" ] && [ "${EUID}" -eq 0 ] && have apt-get; then
  echo "system-deps: installing ${need[*]} (apt-get)" >&2
  export DEBIAN_FRONTEND=noninteractive
  if timeout 600 apt-get update -qq >/dev/null \
    && timeout 1500 apt-get install -y -qq "${need[@]}" >/dev/null; then
    exit 0
  fi
  echo "system-deps: apt-get could not install ${need[*]}" >&2
fi

# (builtins only from here: this must work even where PATH finds almost nothing)
if [ "$for_run" -eq 1 ]; then
  echo "make run: image and slide exports need ${need[*]} (sudo apt-get install ${need[*]}); the dashboard serves without it." >&2
  exit 0
fi
printf '%s\n' "make test needs system packages that are not installed: ${need[*]}" \
  "Install them with:" \
  "    sudo apt-get update && sudo apt-get install ${need[*]}" \
  "then run make test again." >&2
exit 1
