#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The kernel's ALSA selftests (tools/testing/selftests/alsa of
# linux-source-6.12, built by guest/Makefile into /vsnd/alsa-selftests/)
# against card 0.  /host/group names the results, /host/tests lists the
# programs to run (pcm-test, mixer-test).  Their KTAP goes out as comments;
# one result per program: ok when it passes and each of its skips is
# explained by the device's configuration in /host/skips
# (tests/selftests.skips), else "not ok" with every failing selftest line
# and every unexplained skip.
. /vsnd/guest-lib.sh
g=$(cat /host/group)
identity "$g"
wait_card 0 10
dir=/vsnd/alsa-selftests
for t in $(cat /host/tests); do
	n=virtio_snd.$g.$(echo "$t" | tr - _)
	if [ ! -x "$dir/$t" ]; then
		fail "$n" "cannot run: $t not built (linux-source-6.12 missing on the host?)"
		continue
	fi
	# the tests read pcm-test.conf and conf.d/ from the working directory
	(cd "$dir" && timeout 120 "./$t") > /tmp/$t.out 2>&1
	rc=$?
	# all of it, but a runaway test must not flood the serial line
	head -n 400 /tmp/$t.out | sed 's/^/#   /'
	nfail=$(grep -c '^not ok' /tmp/$t.out)
	npass=$(grep '^ok' /tmp/$t.out | grep -vc '# SKIP')
	nskip=$(grep '^ok' /tmp/$t.out | grep -c '# SKIP')
	echo "# $t: status $rc, $npass passed, $nskip skipped, $nfail failed"
	unexplained=
	for sk in $(sed -n 's/^ok [0-9]* # SKIP //p' /tmp/$t.out); do
		why=$(awk -v k="$g.$t" -v s="$sk" '
			$1 == k && s ~ ("^" $2 "$") { $1 = $2 = ""; sub(/^ +/, ""); print; exit }' /host/skips)
		if [ -n "$why" ]; then
			echo "# skipped $sk: $why"
		else
			unexplained="$unexplained $sk"
		fi
	done
	# kselftest status: 0 pass, 4 skip; nothing passed is a fail (vacuous)
	if [ -n "$unexplained" ]; then
		fail "$n" "skips not explained by tests/selftests.skips:$unexplained"
	elif [ "$rc" != 0 ] && [ "$rc" != 4 ] || [ "$nfail" != 0 ]; then
		fail "$n" "status $rc: $(grep '^not ok' /tmp/$t.out | sed 's/^not ok [0-9]* //' | tr '\n' ';')"
	elif [ "$npass" -gt 0 ]; then
		ok "$n"
	else
		fail "$n" "status $rc, no test ran: $(grep -m1 -E '^(Bail out|# )' /tmp/$t.out)"
	fi
done
