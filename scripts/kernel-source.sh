# SPDX-License-Identifier: GPL-2.0
#
# Sourced by the scripts that build a kernel from Debian's
# linux-source-6.1 (debug-kernel.sh: the debug test kernel; linux-guest.sh:
# the Linux guest): finding the package, unpacking it once, and the
# environment under which ccache hits across runs and clones.
#
# The caller sets `name` (its prefix in messages) and `set -euo pipefail`.

ksrc_tarball=/usr/src/linux-source-6.1.tar.xz
ksrc_package=linux-source-6.1

note() {
	echo "$name: $*" >&2
}

die() {
	note "$*"
	exit 1
}

# Prints the installed package's version; stops when it or ccache is missing.
ksrc_version() {
	[ -r "$ksrc_tarball" ] || die "no $ksrc_tarball: install $ksrc_package (scripts/install-deps.sh)"
	command -v ccache >/dev/null || die "no ccache: install it (scripts/install-deps.sh)"
	dpkg-query -W -f='${Version}' "$ksrc_package" 2>/dev/null ||
		die "$ksrc_package is not installed as a package"
}

# ksrc_unpack DIR VERSION: the pristine tree in DIR/src, unpacked once per
# package version; returns 1 (after unpacking) when the tree is new, so
# that the caller drops what it built from an old one.
ksrc_unpack() {
	local dir=$1 version=$2

	[ "$(cat "$dir/src.version" 2>/dev/null)" = "$version" ] && return 0
	note "unpacking $ksrc_tarball ($ksrc_package $version)"
	rm -rf "$dir/src" "$dir/src.version" "$dir/unpack"
	mkdir -p "$dir/unpack"
	tar -xJf "$ksrc_tarball" -C "$dir/unpack"
	mv "$dir/unpack/$ksrc_package" "$dir/src"
	rmdir "$dir/unpack"
	echo "$version" >"$dir/src.version"
	return 1
}

# ksrc_env DIR VERSION: fixed build metadata and paths relative to DIR
# let ccache hit across runs and across clones in other directories.
ksrc_env() {
	export KBUILD_BUILD_TIMESTAMP="$ksrc_package $2"
	export KBUILD_BUILD_USER=pvisor KBUILD_BUILD_HOST=pvisor
	export CCACHE_BASEDIR=$1
	# A fresh tree's generated headers are newer than the compile's
	# start, which would keep ccache from its fast (direct) mode.
	export CCACHE_SLOPPINESS=include_file_mtime,include_file_ctime,time_macros
}

# ksrc_check_fragment FRAGMENT CONFIG: Kconfig drops a request whose
# dependencies are unmet without a word; every line of the fragment must
# be in the result.
ksrc_check_fragment() {
	local fragment=$1 config=$2 line sym bad=0

	while IFS= read -r line; do
		case "$line" in
		CONFIG_*=*) grep -qxF -- "$line" "$config" || { note "not applied: $line"; bad=1; } ;;
		'# CONFIG_'*' is not set')
			sym=${line#\# }
			sym=${sym%% *}
			! grep -q "^$sym=" "$config" || { note "not applied: $line"; bad=1; }
			;;
		esac
	done <"$fragment"
	return $bad
}
