#!/bin/sh
# install-client-deps.sh - the Debian packages the client tests drive
# (integration/podman.bats, integration/containerd.bats): the "test" and
# "clients" groups of install-deps.sh. Needs root.
set -eu
exec "$(dirname "$0")"/install-deps.sh test clients
