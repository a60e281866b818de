#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The driver as a patch series for upstream: "git format-patch" output
# against trixie-backports' pristine linux-source (7.3; lib/kernel.sh
# kernel_source, never a pinned version), made from this tree as it is now
# (the tracked files of sound/virtio/, the uapi header and the
# documentation, read from the working tree), so the series follows the
# code with no manual step.
#
# What goes into which patch, in which order, is series/series; each
# patch's commit message is series/<name>.msg, the cover letter
# series/cover.msg.  The commits are made in a clone of the pristine
# repository (lib/series.sh) with the author and date of this tree's
# HEAD, so the same tree gives the same patches, byte for byte.
#
# Usage: series.sh [-o DIR] [-s]
#   -o DIR  where the patches go (default $VSND_CACHE/series/patches; its
#           old *.patch files are removed first)
#   -s      add Signed-off-by: of the author (git config user.name and
#           user.email here), for the one who sends the series: signing
#           off certifies the DCO, so it is asked for, not implied
# Prints the patch files, cover letter first.  Exit status 1 when a
# file of the driver is in no patch (or in two), a patch changes nothing,
# or the last commit's files differ from ours.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
. "$here/lib/kernel.sh"
. "$here/lib/series.sh"
def=$here/series

out=$VSND_CACHE/series/patches signoff=
while getopts o:s opt; do
	case $opt in
	o) out=$OPTARG ;;
	s) signoff=--signoff ;;
	*) echo "usage: $0 [-o DIR] [-s]" >&2; exit 2 ;;
	esac
done

log() { echo "series: $*" >&2; }
die() { log "error: $*"; exit 1; }

# The driver's files: what the series must carry, each exactly once.
driver_files() {
	git -C "$top" ls-files sound/virtio include/uapi/linux/virtio_snd.h \
		Documentation/sound/cards/virtio-snd.rst | LC_ALL=C sort
}

# --- edits to files that are upstream's, not ours ---

# Between the removal of the old driver and the patch that builds the new
# one, sound/ still descends into sound/virtio/ and CONFIG_SND_VIRTIO
# stays (a bisect must not drop it from a .config): the Makefile is
# there and builds nothing.
edit_makefile-empty() {
	touched+=(sound/virtio/Makefile)
	echo '# SPDX-License-Identifier: GPL-2.0+' > sound/virtio/Makefile
}

# The card documentation's toctree lists each page; ours goes last.
edit_doc-index() {
	local f=Documentation/sound/cards/index.rst
	touched+=("$f")
	grep -qx '   virtio-snd' "$f" && return 0
	sed -i '$a\   virtio-snd' "$f"
	grep -qx '   virtio-snd' "$f"
}

# The existing VIRTIO SOUND DRIVER entry (its people unchanged) gets the
# documentation; its F: lines stay sorted.
edit_maintainers() {
	local f=MAINTAINERS doc=Documentation/sound/cards/virtio-snd.rst
	touched+=("$f")
	grep -q "^VIRTIO SOUND DRIVER\$" "$f" || { log "no VIRTIO SOUND DRIVER in $f"; return 1; }
	awk -v doc="$doc" '
	$0 == "VIRTIO SOUND DRIVER" { entry = 1; print; next }
	entry && /^F:\t/ && !done && $2 > doc { print "F:\t" doc; done = 1 }
	entry && !/^[A-Z]:\t/ { if (!done) print "F:\t" doc; entry = 0; done = 1 }
	{ print }' "$f" > "$f.new" && mv "$f.new" "$f"
	grep -q "^F:	$doc\$" "$f"
}

# apply_change <change>: one change of a series line, in the clone;
# the files it wrote are added to touched (a "git add" of the whole tree
# would stat its 90000 files once a patch)
apply_change() {
	local c=$1 p
	case $c in
	@*)	declare -F "edit_${c#@}" > /dev/null || { log "no edit ${c#@}"; return 1; }
		"edit_${c#@}" ;;
	-*)	# a glob of upstream's files: it must match something
		p=$(compgen -G "${c#-}") || { log "$c matches nothing upstream"; return 1; }
		git rm -q -- $p ;;
	*)	[ -f "$top/$c" ] || { log "$c: not in our tree"; return 1; }
		touched+=("$c")
		mkdir -p "$(dirname "$c")" && cp "$top/$c" "$c" ;;
	esac
}

repo=$(series_repo) || die "no pristine repository"
base=$(series_base "$repo")
mkdir -p "$VSND_CACHE/series"
exec 9> "$VSND_CACHE/series/.lock"
flock 9
wt=$(series_clone "$repo" "$VSND_CACHE/series/gen") || die "no clone of $repo"

name=$(git -C "$top" config user.name) && email=$(git -C "$top" config user.email) ||
	die "git config user.name and user.email: the series' author"
date=$(git -C "$top" log -1 --format=%cI HEAD) || die "no HEAD in $top"
export GIT_AUTHOR_NAME=$name GIT_AUTHOR_EMAIL=$email GIT_AUTHOR_DATE=$date
export GIT_COMMITTER_NAME=$name GIT_COMMITTER_EMAIL=$email GIT_COMMITTER_DATE=$date

# Every file of the driver in exactly one patch.
listed=$(grep -v -E '^(#|$)' "$def/series" | awk '{ for (i = 2; i <= NF; i++) print $i }' |
	grep -v -E '^[-@]' | LC_ALL=C sort)
dups=$(uniq -d <<< "$listed")
[ -z "$dups" ] || die "in two patches: $dups"
missing=$(comm -23 <(driver_files) <(echo "$listed"))
[ -z "$missing" ] || die "in no patch (series/series): $missing"

cd "$wt" || die "cannot enter $wt"
n=0
while read -r pname changes; do
	case $pname in ''|'#'*) continue ;; esac
	msg=$def/$pname.msg
	[ -s "$msg" ] || die "$pname: no $msg"
	touched=()
	for c in $changes; do
		apply_change "$c" || die "$pname: $c failed"
	done
	# -f: Debian's .gitignore ("/*") ignores every new file
	[ ${#touched[@]} = 0 ] || git add -f -- "${touched[@]}" || die "$pname: git add failed"
	git diff --cached --quiet && die "$pname changes nothing"
	# whitespace cleanup only: a "#" line in a message is text
	git commit -q --cleanup=whitespace $signoff -F "$msg" || die "$pname: commit failed"
	n=$((n + 1))
done < "$def/series"

# The last commit must hold our driver exactly: our files as they are,
# and nothing of the old driver left in sound/virtio/.
for f in $(driver_files); do
	cmp -s "$top/$f" "$f" || die "$f differs from ours after the last patch"
done
extra=$(comm -13 <(cd "$top" && driver_files | grep '^sound/virtio/') \
	<(git ls-files sound/virtio | LC_ALL=C sort))
[ -z "$extra" ] || die "left in sound/virtio/ after the last patch: $extra"

# The cover letter: git's (shortlog, diffstat) with our subject and text;
# @BASE@ in the text names the tree the series applies to.
mkdir -p "$out" && rm -f "$out"/*.patch || die "cannot write $out"
git format-patch -q --cover-letter -o "$out" pristine..HEAD || die "format-patch failed"
cover=$(ls "$out"/0000-*.patch)
awk -v base="$base" -v msg="$def/cover.msg" '
BEGIN {
	getline subject < msg
	getline < msg
	while ((getline line < msg) > 0) {
		gsub(/@BASE@/, base, line)
		blurb = blurb line "\n"
	}
}
/\*\*\* SUBJECT HERE \*\*\*/ { sub(/\*\*\* SUBJECT HERE \*\*\*/, subject) }
/^\*\*\* BLURB HERE \*\*\*$/ { printf "%s", blurb; next }
{ print }' "$cover" > "$cover.new" && mv "$cover.new" "$cover" || die "cover letter failed"
grep -q '\*\*\*' "$cover" && die "cover letter: a placeholder is left"
log "$n patches against $base in $out"
ls "$out"/*.patch
