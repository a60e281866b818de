# SPDX-License-Identifier: GPL-2.0
# The upstream series' base (sourced, not run; needs lib/kernel.sh).
#
# A series for upstream must apply with "git am", so its base is a git
# repository: trixie-backports' linux-source (kernel_source), committed
# once as it was unpacked, branch "pristine".  The repository is bare;
# series.sh and the check gate each work in a clone of their own, so
# neither disturbs the other's files (or build times).

VSND_CACHE=${VSND_CACHE:-/var/cache/virtio-snd}
SERIES_SUITE=trixie-backports

# series_repo: the bare repository (printed), made again when
# kernel_source unpacked another version
series_repo() {
	local repo=$VSND_CACHE/series/git src
	src=$(kernel_source "$SERIES_SUITE") || return 1
	# the branch is made last: without it, the repository is unfinished
	if [ "$(cat "$repo/vsnd-source" 2>/dev/null)" != "$src" ] ||
	   ! git --git-dir="$repo" rev-parse -q --verify pristine > /dev/null; then
		echo "series: committing $(basename "$src") into $repo (once per version)" >&2
		rm -rf "$repo" "$VSND_CACHE/series/gen" "$VSND_CACHE/check/series-src"
		mkdir -p "$VSND_CACHE/series"
		# -f: Debian's .gitignore ignores everything ("/*");
		# .done is kernel_source's marker, not the source.  A tool's
		# identity, not a person's: this commit is never in a patch.
		git init -q --bare "$repo" && echo "$src" > "$repo/vsnd-source" &&
			git --git-dir="$repo" --work-tree="$src" add -A -f -- . ':!.done' &&
			git --git-dir="$repo" --work-tree="$src" \
				-c user.name=virtio-snd-series -c user.email=series@localhost \
				commit -q -m "$(series_base "$repo"), as unpacked" &&
			git --git-dir="$repo" branch -f pristine HEAD ||
			{ rm -rf "$repo"; return 1; }
	fi
	echo "$repo"
}

# series_base <repo>: what the series applies to, for people
# ("linux-source-7.3-7.3.4-1~bpo13+1 (trixie-backports)")
series_base() {
	echo "$(basename "$(cat "$1/vsnd-source")") ($SERIES_SUITE)"
}

# series_clone <repo> <dir>: a clone of the repository at <dir> (its
# objects shared, not copied), reset to "pristine" with nothing else in
# it (printed).  Only files that differ are rewritten, so an O= build of
# it stays incremental.  A clone, not a worktree of the bare repository:
# checkpatch.pl's scripts/spdxcheck.py opens the tree with GitPython,
# which refuses a worktree whose repository is bare.
series_clone() {
	local repo=$1 dir=$2
	if [ ! -d "$dir/.git" ]; then
		rm -rf "$dir"
		git clone -q --shared --no-checkout "$repo" "$dir" >&2 &&
			git -C "$dir" branch -q -f pristine origin/pristine ||
			{ rm -rf "$dir"; return 1; }
	fi
	# a "git am" that stopped halfway must not block the next one
	git -C "$dir" am --abort > /dev/null 2>&1
	git -C "$dir" checkout -q -f --detach pristine &&
		git -C "$dir" clean -q -f -d -x &&
		echo "$dir"
}
