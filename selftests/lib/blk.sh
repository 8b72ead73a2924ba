# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the tests of the block device (pvblkback and minnow's
# blk.elf, guest-port/tests/blk.c). Source it after tap.sh:
#
#	blk_node DOMID DEV KEY	the backend's xenstore entry KEY of device
#				number DEV of domain DOMID
#	blk_acked NAME		the last "@@blk acked N" on domain NAME's
#				console (blk=2 says one every 256 writes)

blk_node() {
	pvctl store read "/local/domain/0/backend/vbd/$1/$2/$3" 2>/dev/null
}

blk_acked() {
	pvctl console "$1" 2>/dev/null |
		sed -n 's/^@@blk acked \([0-9]*\)$/\1/p' | tail -n 1
}
