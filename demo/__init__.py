"""The demo school used by `staffroom playground` and `staffroom demo`."""
