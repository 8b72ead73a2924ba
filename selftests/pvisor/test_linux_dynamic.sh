#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Dynamically linked Debian programs in the Linux guest (guest-port/linux):
# Debian 12's own bash, ls and sha256sum, unmodified, with their shared
# libraries and loader (glibc's ld-linux-x86-64.so.2) at Debian's paths,
# copied by the test host's builder (selftests/qemu/run.sh) into
# /guest/debian and from there into the guest's initramfs. The loader maps
# each library from the initramfs (file-backed private mappings, text
# and relro protections changed by mprotect), glibc sets up TLS with
# arch_prctl, and the programs then run as on Debian:
#
#   - bash: its version, arithmetic in a function, an associative array,
#     process substitution (/dev/fd, a link to /proc/self/fd), a here-document, a
#     pipe into a while loop, a background job killed with kill %1 and
#     its status, a script file run with set -e, 100 fork+exec of ls;
#   - ls -l and ls -a on files whose sizes and names the test knows;
#   - sha256sum of the bash binary, against the test host's busybox
#     sha256sum of the same file;
#   - the loader run by hand: --list names the libraries, and it runs a
#     program given as its argument.
#
# Then the guest powers off, and its kernel has logged no bug and killed
# nothing.
#
# Runs in the QEMU test host: busybox sh and /bin/busybox (static),
# pvisor.ko loaded, pvctl in PATH, the guests in /guest. TAP 13. Exits 0
# when every check passed, 1 otherwise, 4 (skip) when something it needs
# is missing.

WAIT_TENTHS=1800
PAGES=16384

LD=linux-dynamic
DEBIAN=${PVISOR_DEBIAN_ROOT:-/guest/debian}

. "$(dirname "$0")/../lib/tap.sh"
LINUX_TREE=$DEBIAN
. "$(dirname "$0")/../lib/linux_guest.sh"

cleanup() {
	pvctl destroy $LD >/dev/null 2>&1
}

echo "TAP version 13"

need_tools pvctl cpio sha256sum
[ -f "$LINUX" ] || skip_all "no Linux guest at $LINUX (scripts/linux-guest.sh builds it)"
[ -x "$BUSYBOX" ] || skip_all "no busybox at $BUSYBOX"
for prog in usr/bin/bash usr/bin/ls usr/bin/sha256sum lib64/ld-linux-x86-64.so.2; do
	[ -f "$DEBIAN/$prog" ] ||
		skip_all "no $DEBIAN/$prog (selftests/qemu/run.sh copies Debian's programs)"
done
need_module

# The host's view of what the guest will be given.
bash_sum=$(sha256sum "$DEBIAN/usr/bin/bash" | cut -d' ' -f1)
bash_size=$(wc -c <"$DEBIAN/usr/bin/bash")

cat >"$tmp/dyn-init" <<'EOF'
#!/bin/sh
export PATH=/usr/bin:/bin
mount -t proc proc /proc
mount -t tmpfs tmpfs /tmp
mount -t devtmpfs devtmpfs /dev
ln -s /proc/self/fd /dev/fd
B=/usr/bin/bash
echo "@@dyn bash version: $($B -c 'echo "${BASH_VERSINFO[0]}.${BASH_VERSINFO[1]}"')"
echo "@@dyn bash function: $($B -c 'f() { echo $(( $1 * 7 )); }; f 6')"
echo "@@dyn bash assoc: $($B -c 'declare -A m=([a]=1 [b]=2); m[c]=$(( m[a] + m[b] )); echo "${m[c]} ${#m[@]}"')"
echo "@@dyn bash procsubst: $($B -c 'read -r x < <(echo from-a-subst); echo "$x"')"
echo "@@dyn bash heredoc: $($B -c 'cat <<END
here $((40 + 2)) doc
END')"
echo "@@dyn bash pipe-while: $($B -c 'n=0; seq 1 50 | while read -r i; do n=$((n + i)); echo $n; done | tail -n 1')"
echo "@@dyn bash job: $($B -c 'sleep 30 & kill %1; wait $!; echo $?')"
cat >/tmp/script.bash <<'SCRIPT'
set -euo pipefail
words=(alpha beta gamma)
out=""
for w in "${words[@]}"; do
	out+="${w^^}-"
done
printf '%s %d\n' "${out%-}" "${#words[@]}"
SCRIPT
out=$($B /tmp/script.bash)
echo "@@dyn bash script: $out, status $?"
$B -e -c 'false; echo not reached' >/tmp/false.out 2>&1
echo "@@dyn bash -e -c false: $?, $(wc -c </tmp/false.out) bytes of output"
echo "@@dyn uptime before the exec loop: $(cut -d' ' -f1 /proc/uptime)"
echo "@@dyn bash exec loop: $($B -c 'n=0; for i in $(seq 1 100); do /usr/bin/ls /init >/dev/null || break; n=$((n + 1)); done; echo $n')"
echo "@@dyn uptime after the exec loop: $(cut -d' ' -f1 /proc/uptime)"
printf 'twelve bytes' >/tmp/twelve
mkdir /tmp/d && : >/tmp/d/.hidden && : >/tmp/d/shown
echo "@@dyn ls -l: $(/usr/bin/ls -l /tmp/twelve | awk '{ print $1, $5, $9 }')"
echo "@@dyn ls -a: $(/usr/bin/ls -a /tmp/d | tr '\n' ' ')"
echo "@@dyn ls size of bash: $(/usr/bin/ls -l /usr/bin/bash | awk '{ print $5 }')"
echo "@@dyn sha256sum bash: $(/usr/bin/sha256sum /usr/bin/bash | cut -d' ' -f1)"
echo "@@dyn loader --list: $(/lib64/ld-linux-x86-64.so.2 --list /usr/bin/ls | awk '{ print $1 }' | grep -c -e '^libselinux.so.1$' -e '^libc.so.6$' -e '^libpcre2-8.so.0$')"
echo "@@dyn loader runs: $(/lib64/ld-linux-x86-64.so.2 /usr/bin/sha256sum /tmp/twelve | cut -d' ' -f1)"
echo "@@dyn done"
poweroff -f
EOF

linux_root "$tmp/dyn" "$tmp/dyn-init" sh echo cat awk tr cut grep seq tail \
	mount mkdir printf poweroff sleep ln wc
boot_linux $LD dyn "Debian's dynamic programs"
cp "$tmp/out" "$tmp/dconsole"
sed -n '/Run \/init/,$s/^/# console: /p' "$tmp/dconsole"

line() { out_has_line "@@dyn $1"; }
check "bash runs and knows its version (5.2)" line "bash version: 5.2"
check "bash: arithmetic in a function" line "bash function: 42"
check "bash: an associative array" line "bash assoc: 3 3"
check "bash: process substitution (/dev/fd)" line "bash procsubst: from-a-subst"
check "bash: a here-document" line "bash heredoc: here 42 doc"
check "bash: a pipe into a while loop (sum 1..50)" line "bash pipe-while: 1275"
check "bash: a background job killed by kill %1 (143)" line "bash job: 143"
check "bash: a script with set -euo pipefail, arrays and case changes" \
	line "bash script: ALPHA-BETA-GAMMA 3, status 0"
check "bash -e -c false: exit status 1, nothing after it ran" \
	line "bash -e -c false: 1, 0 bytes of output"
check "bash: 100 fork+exec of the dynamic ls" line "bash exec loop: 100"
echo "# the guest's uptime: $(sed -n 's/^@@dyn uptime before the exec loop: //p' "$tmp/out") s before the loop," \
	"$(sed -n 's/^@@dyn uptime after the exec loop: //p' "$tmp/out") s after it"
check "ls -l: mode, size and name" line "ls -l: -rw-r--r-- 12 /tmp/twelve"
check "ls -a: the hidden file too" line "ls -a: . .. .hidden shown "
check "ls -l: bash's size as the host sees it ($bash_size)" \
	line "ls size of bash: $bash_size"
check "Debian's sha256sum of bash equals the host's" \
	line "sha256sum bash: $bash_sum"
check "the loader's --list names ls's three libraries" line "loader --list: 3"
check "the loader runs a program given as its argument" \
	line "loader runs: $(printf 'twelve bytes' | sha256sum | cut -d' ' -f1)"
check "the script ran to the end" line "done"
check "poweroff reached the kernel's power-off" out_has_line "pvisor: power off"
check "the kernel reported no bug and killed no process" \
	eval '! grep -q -e BUG -e WARNING -e Oops -e "bad p[tmug]d" -e segfault -e "Kernel panic" -e "not on pvisor yet" "$tmp/dconsole"'
run pvctl destroy $LD
check "destroy $LD" status_is 0
check "domains and frames are back to the baseline" accounting_is_baseline

finish
