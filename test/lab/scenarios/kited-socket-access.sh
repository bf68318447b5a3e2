#!/usr/bin/env bash
# Who may use kited's control socket (SPEC.md §3: mode 0660, group kite,
# anyone else refused; issue 5 item 6). Users are numeric uids switched to
# with setpriv (the guest's /etc is the host's, read-only; this scenario
# runs in a private mount namespace whose /etc/group has a `kite` group):
#   - the socket is mode 0660, group kite; root, a member by supplementary
#     group and one by primary group use kitectl (exit 0);
#   - a non-member is refused by the file mode: exit 3, "Permission denied
#     (run as root or as a member of group kite)";
#   - with the socket's mode widened by mistake (0666) kited itself refuses
#     the non-member after SO_PEERCRED/SO_PEERGROUPS: exit 3, "permission
#     denied: uid 4242 is not root and not in group kite" (also as --json,
#     with "permission_denied":true), logged by kited; nothing was done;
#   - without a kite group the socket is 0600 (kited says how to fix it)
#     and even through a 0666 socket only root gets in.
if [[ ${KITE_PRIVATE_MOUNTS:-0} != 1 ]]; then
  exec env KITE_PRIVATE_MOUNTS=1 unshare -m --propagation private "$BASH" "$0" "$@"
fi
# shellcheck source=../lib.sh
source "$LAB_DIR/lib.sh"

KITE_GID=4240 STRANGER=4242 MEMBER=4243
sock=$(kited_socket left)

# as UID GID GROUPS CMD...: runs CMD as uid/gid with those supplementary
# groups ("-" for none); output in AS_OUT, exit status in AS_RC.
as() {
  local uid=$1 gid=$2 groups=$3 g
  shift 3
  if [[ $groups == - ]]; then g=(--clear-groups); else g=(--groups "$groups"); fi
  AS_RC=0
  AS_OUT=$(setpriv --reuid "$uid" --regid "$gid" "${g[@]}" "$@" 2>&1) || AS_RC=$?
  printf '%s\n' "$AS_OUT" | sed "s/^/    [uid $uid] /"
}
# kitectl_as UID GID GROUPS ARGS...: kitectl against left's kited.
kitectl_as() {
  local uid=$1 gid=$2 groups=$3
  shift 3
  as "$uid" "$gid" "$groups" "$KITECTL" --socket "$sock" "$@"
}
expect_rc() { ((AS_RC == $1)) || fail "exit status $AS_RC, want $1"; }
expect_out() { [[ $AS_OUT == *"$1"* ]] || fail "output lacks: $1"; }

step "a kite group (gid $KITE_GID) in this scenario's /etc/group"
cp /etc/group "$LAB_RUN/group"
echo "kite:x:$KITE_GID:" >>"$LAB_RUN/group"
mount --bind "$LAB_RUN/group" /etc/group
getent group kite | sed 's/^/    /'

lab_topology
kited_start left <(kite_conf_psk left negotiation=passive)
step "the socket is mode 0660, group kite"
read -r mode group < <(stat -c '%a %G' "$sock")
log "$sock: mode $mode, group $group"
[[ $mode == 660 && $group == kite ]] || fail "socket is $mode $group, want 660 kite"

step "root, and members of kite, may use it"
kitectl_as 0 0 - status
expect_rc 0
kitectl_as "$MEMBER" "$MEMBER" "$KITE_GID" --json show lab
expect_rc 0
[[ $(jq -r .tunnel.name <<<"$AS_OUT") == lab ]] || fail "a member's kitectl show got no tunnel"
kitectl_as "$MEMBER" "$KITE_GID" - down lab
expect_rc 0

step "a non-member is refused by the socket's mode"
kitectl_as "$STRANGER" "$STRANGER" - status
expect_rc 3
expect_out "Permission denied (run as root or as a member of group kite)"

step "the socket's mode widened by mistake: kited refuses the non-member itself"
chmod 0666 "$sock"
kitectl_as "$STRANGER" "$STRANGER" - status
expect_rc 3
expect_out "kitectl: permission denied: uid $STRANGER is not root and not in group kite"
kitectl_as "$STRANGER" "$STRANGER" 100 --json up lab --timeout 0
expect_rc 3
jq -e ".ok == false and .permission_denied == true and (.error | startswith(\"permission denied: uid $STRANGER\"))" \
  <<<"${AS_OUT%%$'\n'kitectl:*}" >/dev/null || fail "unexpected --json refusal"
kitectl_as "$STRANGER" "$STRANGER" - monitor --count 1
expect_rc 3
grep "control: refused uid $STRANGER" "$LAB_OUT/left/kited.log" | tail -n 1 | sed 's/^/    /'
grep -q "control: refused uid $STRANGER (pid [0-9]*): permission denied" "$LAB_OUT/left/kited.log" ||
  fail "kited did not log the refusal"
grep -q "control: up lab" "$LAB_OUT/left/kited.log" && fail "kited ran the stranger's up"
kitectl_as "$MEMBER" "$MEMBER" "$KITE_GID" status
expect_rc 0
kited_stop left

step "without a kite group: owner-only socket, root only even through mode 0666"
umount /etc/group
kited_start left <(kite_conf_psk left negotiation=passive)
grep -q "group kite does not exist: control socket $sock is usable by its owner only (\`groupadd --system kite\`" \
  "$LAB_OUT/left/kited.log" || fail "kited did not say that group kite is missing"
[[ $(stat -c %a "$sock") == 600 ]] || fail "socket is $(stat -c %a "$sock"), want 600"
chmod 0666 "$sock"
kitectl_as "$MEMBER" "$KITE_GID" "$KITE_GID" status
expect_rc 3
expect_out "permission denied: uid $MEMBER is not root (group kite does not exist: root only)"
kitectl_as 0 0 - status
expect_rc 0
kited_stop left
kernel_clean left
