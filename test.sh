#!/usr/bin/env bash
# The one test command: installs the system packages the tests need (when missing), builds, runs every test project,
# and ends with "N passed, N failed, N skipped" computed from the test reports. Exits non-zero when anything failed.
set -euo pipefail
cd "$(dirname "$0")"

packages=(orthanc orthanc-dicomweb dcmtk python3 python3-irodsclient python3-openpyxl)
missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    echo "test.sh: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get -o DPkg::Lock::Timeout=300 update -qq >&2
    apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >&2
  else
    echo "test.sh: missing system packages; tests that need them will skip (and fail under CI=true)." >&2
    echo "test.sh: install them with: sudo apt-get install ${missing[*]}" >&2
  fi
fi

if ! command -v dotnet >/dev/null; then
  echo "test.sh: the .NET 10 SDK (dotnet) is not on PATH; install it first." >&2
  exit 1
fi
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

results="$PWD/test-results"
rm -rf "$results"
dotnet build Dtp.slnx -warnaserror -nologo -v quiet
# Everything the tests put in temporary folders (servers' data, downloads) lives here and goes when the run ends.
scratch="$results/tmp"
mkdir -p "$scratch"
trap 'rm -rf "$scratch"' EXIT
status=0
TMPDIR="$scratch" dotnet test --solution Dtp.slnx --no-build --report-xunit-xml --results-directory "$results" || status=$?

python3 - "$results" "$status" <<'PY'
import glob, sys
import xml.etree.ElementTree as ET

results, status = sys.argv[1], int(sys.argv[2])
passed = failed = skipped = 0
for report in glob.glob(f"{results}/*.xml"):
    for assembly in ET.parse(report).getroot().iter("assembly"):
        passed += int(assembly.get("passed", 0))
        failed += int(assembly.get("failed", 0)) + int(assembly.get("errors", 0))
        skipped += int(assembly.get("skipped", 0)) + int(assembly.get("not-run", 0))
if status != 0 and failed == 0:
    # The test host itself failed (crash, no report): count it rather than hide it.
    print(f"test.sh: dotnet test exited with {status} without a failed test in its reports", file=sys.stderr)
    failed = 1
print(f"{passed} passed, {failed} failed, {skipped} skipped")
sys.exit(1 if failed else 0)
PY
