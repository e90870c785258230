#!/bin/sh
# DEMO ONLY: a stand-in for Launchpad's `lpndt`, so the embedded demo
# (examples/changebot.demo.yaml) has something harmless to run on this machine.
# It changes nothing: it says what the real tool would do, pauses, and exits 0.
verb=$1
service=$2
case "$verb" in
  service-stop|service-start) ;;
  *) echo "demo-lpndt: unknown verb '$verb' (expected service-stop or service-start)" >&2; exit 2 ;;
esac
echo "[demo lpndt, not the real tool] $verb $service"
sleep "${DEMO_LPNDT_DELAY:-1}"
echo "[demo] $service ${verb#service-}ped (simulated; nothing was changed)"
