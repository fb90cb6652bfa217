# Sourced by the set-up scripts: `apt_ensure WHO PACKAGE…` installs the Debian packages that are
# not installed yet (with sudo when not root), saying so under WHO's name; a second run only
# checks.
apt_ensure() {
  local who=$1 p
  shift
  local missing=()
  for p in "$@"; do
    # "install ok installed": `dpkg -s` also succeeds for a removed package whose configuration
    # files remain.
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -gt 0 ] || return 0
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "$who: installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
}
