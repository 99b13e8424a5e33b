# Helpers the setup scripts share (sourced, not run). WHAT names the caller in messages.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo -n "$@"
  else
    echo "${WHAT} needs '$*' to run as root (or passwordless sudo); run it yourself, then try again" >&2
    exit 1
  fi
}

apt_install() {
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "${WHAT} needs $* (no apt-get here: install it with your package manager, then try again)" >&2
    exit 1
  fi
  echo "${WHAT}: installing $* (apt)" >&2
  [ -n "${APT_UPDATED:-}" ] || { as_root apt-get update -q >/dev/null; APT_UPDATED=1; }
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null
}

# The project's git-ignored Python environment, created on first use.
ensure_venv() {
  if [ ! -x .venv/bin/pip ]; then
    rm -rf .venv
    python3 -m venv .venv 2>/dev/null || { apt_install python3-venv && rm -rf .venv && python3 -m venv .venv; }
  fi
}

# pip_has PACKAGE VERSION: whether .venv holds exactly that version.
pip_has() {
  compgen -G ".venv/lib/python3*/site-packages/$1-$2.dist-info" >/dev/null
}
