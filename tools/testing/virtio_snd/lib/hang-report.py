#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""What a guest that is about to time out is doing, from QEMU's side.

Usage: hang-report.py [--after SECS OUTPUT] SOCKET

SOCKET is the guest's QMP monitor (guest_run gives every guest one).  A
guest that hangs with a vCPU halted whose timer never fires, or with an
interrupt stuck in service, looks the same from the console as a driver
that waits forever; QEMU's view of each vCPU tells them apart.  Prints
"info cpus", then each vCPU's registers (RIP, HLT: halted) and local
APIC (timer, ISR, IRR); exits 1 if the monitor does not answer.

With --after, it waits SECS first and writes to OUTPUT, and a guest that
has ended by then (no SOCKET) leaves no OUTPUT: guest_run starts it
beside each guest, due a little before the guest's time is up, and kills
it when the guest ends in time.
"""
import json
import os
import socket
import sys
import time


class Qmp:
    """One QMP connection: the greeting, qmp_capabilities, commands."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.settimeout(5)
        self.sock.connect(path)
        self.buf = b''
        self.reply()                    # the greeting
        self.execute('qmp_capabilities')

    def reply(self):
        """The next message that is not an event."""
        while True:
            while b'\n' not in self.buf:
                data = self.sock.recv(65536)
                if not data:
                    raise EOFError('the monitor closed')
                self.buf += data
            line, self.buf = self.buf.split(b'\n', 1)
            msg = json.loads(line)
            if 'event' not in msg:
                return msg

    def execute(self, cmd, **args):
        self.sock.sendall(json.dumps({'execute': cmd,
                                      'arguments': args}).encode() + b'\n')
        msg = self.reply()
        if 'error' in msg:
            raise RuntimeError(msg['error'].get('desc', str(msg)))
        return msg['return']

    def hmp(self, line, cpu=None):
        args = {'command-line': line}
        if cpu is not None:
            args['cpu-index'] = cpu
        return self.execute('human-monitor-command', **args)


def report(path, out):
    try:
        qmp = Qmp(path)
        cpus = qmp.hmp('info cpus')
        out.write(cpus)
        for i in range(cpus.count('CPU #')):
            out.write(f'--- vCPU {i}: info registers\n')
            out.write(qmp.hmp('info registers', cpu=i))
            out.write(f'--- vCPU {i}: info lapic\n')
            out.write(qmp.hmp('info lapic', cpu=i))
    except (OSError, EOFError, ValueError, RuntimeError) as e:
        out.write(f'hang-report: no answer from the monitor: {e}\n')
        return 1
    return 0


def main(argv):
    if len(argv) == 4 and argv[0] == '--after':
        time.sleep(float(argv[1]))
        if not os.path.exists(argv[3]):
            return 0
        with open(argv[2], 'w', encoding='utf-8') as out:
            return report(argv[3], out)
    if len(argv) != 1:
        print(__doc__.split('\n\n')[1], file=sys.stderr)
        return 2
    return report(argv[0], sys.stdout)


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
