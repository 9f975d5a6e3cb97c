/**
 * The script Slipway ships to every host (`<dir>/bin/slipway-host`, POSIX sh): the only commands
 * the SSH runtime runs there, each a fixed word with checked names. Instances run detached in a
 * session of their own, so they outlive the SSH connection and the coordinator; a small
 * supervising shell per instance waits for it and records its exit code. Restarts (with backoff)
 * are decided by the coordinator, as for the local runtime, so a host needs nothing but sh.
 *
 *   launch ID          check <run>/ID/launch.sh can start (cwd, command), start it; prints "pid procStart"
 *   status             one line per instance: "ID pid procStart alive exitCode logBytes"; notes log times
 *   signal ID SIG      SIG (TERM or KILL) to the instance's process group, if it is still the same process
 *   release HASH       "yes" when <dir>/releases/HASH is unpacked, else "no <free kilobytes there>"
 *   unpack HASH        unpack <dir>/releases/HASH.tar (uploaded over SFTP), atomically
 */
export const hostScriptVersion = 5;

export const hostScript = `#!/bin/sh
# slipway-host v${hostScriptVersion}: shipped by Slipway's SSH runtime; do not edit (it is replaced).
set -u
base=$1; cmd=$2; shift 2
name() { case $1 in ''|*[!A-Za-z0-9_-]*) echo "slipway-host: bad name: $1" >&2; exit 2;; esac; }
started() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f20; }
alive() { [ -n "$1" ] && [ "$(started "$1")" = "$2" ]; }
case $cmd in
launch)
  name "$1"; run=$base/run/$1
  sh "$run/launch.sh" check || exit $?
  rm -f "$run/pid" "$run/exit"
  setsid sh "$0" "$base" supervise "$1" </dev/null >/dev/null 2>&1 &
  i=0
  while [ ! -s "$run/pid" ]; do
    i=$((i+1)); [ $i -gt 200 ] && { echo "slipway-host: instance $1 did not start" >&2; exit 1; }
    sleep 0.05
  done
  cat "$run/pid" ;;
supervise)
  run=$base/run/$1
  setsid sh "$run/launch.sh" run >>"$run/log" 2>&1 </dev/null &
  child=$!
  echo "$child $(started $child)" >"$run/pid.new" && mv "$run/pid.new" "$run/pid"
  wait $child; code=$?
  echo $code >"$run/exit.new" && mv "$run/exit.new" "$run/exit" ;;
status)
  [ -d "$base/run" ] || exit 0
  for run in "$base"/run/*/; do
    [ -f "$run/pid" ] || continue
    id=$(basename "$run"); read -r pid st <"$run/pid" || continue
    code=-; [ -f "$run/exit" ] && code=$(cat "$run/exit")
    up=0; alive "$pid" "$st" && up=1
    size=$(wc -c <"$run/log" 2>/dev/null || echo 0); size=$((size+0))
    last=0; [ -f "$run/log.size" ] && last=$(cat "$run/log.size")
    if [ "$size" -gt "$last" ]; then
      echo "$size $(date +%s%3N)" >>"$run/log.times"; echo "$size" >"$run/log.size"
    fi
    echo "$id $pid $st $up $code $size"
  done ;;
signal)
  name "$1"; run=$base/run/$1
  case $2 in TERM|KILL) ;; *) echo "slipway-host: bad signal $2" >&2; exit 2;; esac
  read -r pid st <"$run/pid" 2>/dev/null || exit 0
  alive "$pid" "$st" && kill -s "$2" -- "-$pid" 2>/dev/null
  exit 0 ;;
release)
  name "$1"; [ -d "$base/releases/$1" ] && { echo yes; exit 0; }
  echo "no $(df -Pk "$base/releases" | awk 'NR==2 { print $4 }')" ;;
unpack)
  name "$1"; r=$base/releases
  rm -rf "$r/$1.tmp" && mkdir -p "$r/$1.tmp" && tar -xf "$r/$1.tar" -C "$r/$1.tmp" && mv "$r/$1.tmp" "$r/$1"
  code=$?; rm -f "$r/$1.tar"; [ $code -eq 0 ] || rm -rf "$r/$1.tmp"
  exit $code ;;
*) echo "slipway-host: unknown command $cmd" >&2; exit 2 ;;
esac
`;
