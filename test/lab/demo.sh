#!/usr/bin/env bash
# The README's demo: boots the kernel lab and shows a tunnel come up between
# two gateways in network namespaces, a ping crossing it through kernel ESP,
# the gateways' own view of the tunnel, the kernel's ESP counters, and a
# clean teardown. The script the guest runs is demo-tunnel.sh.
#
#   test/lab/demo.sh [BUILD_DIR]      (default: build, made by test/run.sh):
#                                     two kited, shown with kitectl status
#   DEMO_PEERS=strongswan test/lab/demo.sh   two strongSwan charons instead
#   DEMO_FAMILY=6 test/lab/demo.sh    IPv6 outside and inside
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
export DEMO_PEERS=${DEMO_PEERS:-kited}
export DEMO_FAMILY=${DEMO_FAMILY:-4}
if [[ $DEMO_PEERS == kited && ! -x $build/daemon/kited ]]; then
  echo "demo: no $build/daemon/kited; build first (test/run.sh, or KITE_STAGES=unit test/run.sh)" >&2
  exit 1
fi
LAB_VERBOSE=1 LAB_SCENARIOS="$PWD/test/lab/demo-tunnel.sh" exec test/lab/run.sh "$build"
