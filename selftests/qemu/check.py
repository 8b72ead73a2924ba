#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The body of `make check`: runs every pvisor test, prints one TAP stream.

Order: the host-side tests (selftests/host/test_*), sparse, then the QEMU
test host (run.sh --mode check), which runs selftests/pvisor/test_* and
reports on its second serial port; last, the kernel log is searched for
warnings and oopses. Each program's subtests are renumbered into a single
TAP 13 stream and prefixed with the program's name; the stream ends with
the plan and a "P passed, F failed[, S skipped]" line. The exit status is
1 when anything failed.

A copy of the stream goes to BUILD/check.tap, each program's raw output to
BUILD/host/NAME.log or BUILD/qemu/results/NAME.log, and the test host's
console to BUILD/qemu/console.log. Documentation/testing.rst has the rest.
"""

import argparse
import fnmatch
import os
import re
import signal
import subprocess
import sys
import time

MARK = '@@pvisor@@'
RESULT = re.compile(r'^(not ok|ok)\b[ \t]*(\d+)?[ \t]*(?:-[ \t]*)?(.*)$')
DIRECTIVE = re.compile(r'^(.*?)[ \t]*(?<!\\)#[ \t]*(SKIP|TODO)\b[ \t]*(.*)$',
                       re.IGNORECASE)
PLAN = re.compile(r'^1\.\.(\d+)[ \t]*(?:#[ \t]*(?:SKIP\b)?[ \t]*(.*))?$',
                  re.IGNORECASE)

# What the kernel prints when something went wrong. panic_on_warn turns
# most of these into a panic as well, which stops the test host. A user
# process's #GP ("traps: comm[pid] general protection fault ip:...") is not
# one, nor pvisor's report of a domain crashed by an "unhandled general
# protection fault": hostile-guest tests cause them on purpose.
KERNEL_TROUBLE = re.compile(
    r'WARNING:|BUG:|kernel BUG|Oops|Call Trace|'
    r'(?<!unhandled )general protection fault(?! ip:)|'
    r'Kernel panic|kernel panic|UBSAN:|KASAN:|KFENCE:|KMSAN:|'
    r'Unable to handle kernel|stack-protector|'
    r'list_(add|del) corruption|refcount_t:|'
    r'soft lockup|hard LOCKUP|rcu_\w+ (self-)?detected stall|'
    r'blocked for more than \d+ seconds|'
    r'unreferenced object|suspected memory leak|'
    # the debug kernel's: lockdep and RCU say INFO:, debugobjects ODEBUG:,
    # SLUB's consistency checks "BUG kmalloc-64 (Tainted): ..."
    r'INFO: |ODEBUG: |\bBUG [\w.-]+ \(|'
    r'Redzone overwritten|Poison overwritten')

DIAG_HEAD = 20
DIAG_TAIL = 60


class Tap:
    """The merged TAP stream, on stdout and in a copy file."""

    def __init__(self, copy_path):
        self.count = self.passed = self.failed = self.skipped = 0
        os.makedirs(os.path.dirname(copy_path), exist_ok=True)
        self.copy = open(copy_path, 'w')
        self.emit('TAP version 13')

    def emit(self, line):
        sys.stdout.write(line + '\n')
        sys.stdout.flush()
        self.copy.write(line + '\n')
        self.copy.flush()

    def result(self, ok, desc, skip=None, todo=None):
        self.count += 1
        line = '%s %d %s' % ('ok' if ok else 'not ok', self.count, desc)
        if skip is not None:
            line += ' # SKIP' + (' ' + skip if skip else '')
            self.skipped += 1
        elif todo is not None:
            line += ' # TODO' + (' ' + todo if todo else '')
            self.skipped += 1
        elif ok:
            self.passed += 1
        else:
            self.failed += 1
        self.emit(line)

    def diag(self, prefix, lines):
        for line in lines:
            self.emit(' '.join(w for w in ('#', prefix, line) if w).rstrip())

    def finish(self):
        self.emit('1..%d' % self.count)
        summary = '%d passed, %d failed' % (self.passed, self.failed)
        if self.skipped:
            summary += ', %d skipped' % self.skipped
        self.emit(summary)
        self.copy.close()
        return 1 if self.failed or not self.count else 0


def trim(lines):
    """The head and tail of a long output, with a note in between."""
    if len(lines) <= DIAG_HEAD + DIAG_TAIL:
        return lines
    cut = len(lines) - DIAG_HEAD - DIAG_TAIL
    return (lines[:DIAG_HEAD] + ['[... %d lines left out ...]' % cut] +
            lines[-DIAG_TAIL:])


class Program:
    """One test program's output, merged line by line into the stream."""

    def __init__(self, tap, name, log_path):
        self.tap = tap
        self.name = name
        self.log_path = log_path
        self.log = open(log_path, 'w')
        self.results = 0
        self.failures = 0
        self.plan = None
        self.plan_reason = None
        self.other = []

    def line(self, text):
        self.log.write(text + '\n')
        self.log.flush()
        m = RESULT.match(text)
        if m:
            self.subtest(m.group(1) == 'ok', m.group(2), m.group(3))
            return
        m = PLAN.match(text)
        if m:
            self.plan = int(m.group(1))
            self.plan_reason = m.group(2)
            return
        if text.startswith('Bail out!'):
            self.failures += 1
            self.tap.result(False, '%s: %s' % (self.name, text))
            return
        if not text.startswith('TAP version'):
            self.other.append(text)

    def subtest(self, ok, number, rest):
        self.results += 1
        desc, kind, reason = rest, None, None
        d = DIRECTIVE.match(rest)
        if d:
            desc, kind, reason = d.group(1), d.group(2).upper(), d.group(3)
        desc = '%s: %s' % (self.name, desc.strip() or
                           'subtest %s' % (number or self.results))
        if kind == 'SKIP':
            self.tap.result(True, desc, skip=reason)
        elif kind == 'TODO':
            self.tap.result(ok, desc, todo=reason)
        else:
            self.tap.result(ok, desc)
            if not ok:
                self.failures += 1

    def fail(self, why):
        self.failures += 1
        self.tap.result(False, '%s: %s' % (self.name, why))

    def end(self, status, timed_out=False, limit=None):
        """The program exited with @status (128 + signal for a signal)."""
        self.log.close()
        if timed_out:
            self.fail('exited with status %d (timed out after %s s)' %
                      (status, limit))
        elif status == 4:
            if not self.results:
                self.tap.result(True, self.name,
                                skip=self.plan_reason or
                                'exited with status 4')
        elif status != 0:
            if not self.failures:
                self.fail('exited with status %d' % status)
        elif not self.results:
            if self.plan == 0:
                self.tap.result(True, self.name,
                                skip=self.plan_reason or 'planned no tests')
            else:
                self.tap.result(True, '%s: exited with status 0 '
                                '(no TAP results)' % self.name)
        if (not self.failures and self.plan is not None and self.plan and
                self.plan != self.results):
            self.fail('planned %d subtests, reported %d' %
                      (self.plan, self.results))
        self.explain()

    def cut(self, why):
        """The program never finished: the machine under it stopped."""
        self.log.close()
        self.fail('did not finish (%s)' % why)
        self.explain()

    def explain(self):
        if not self.failures:
            return
        self.tap.diag(self.name + ':', trim(self.other))
        self.tap.diag(self.name + ':', ['full output: ' + self.log_path])


def list_tests(directory, only):
    """Executable test_* files in @directory, sorted, filtered by @only."""
    try:
        names = sorted(os.listdir(directory))
    except FileNotFoundError:
        return []
    found = []
    for name in names:
        path = os.path.join(directory, name)
        if not name.startswith('test_') or not os.path.isfile(path):
            continue
        if not os.access(path, os.X_OK):
            continue
        if only is not None and not any(fnmatch.fnmatchcase(name, p)
                                        for p in only):
            continue
        found.append(name)
    return found


def rel(path):
    return os.path.relpath(path)


def run_host_tests(tap, names, args):
    directory = os.path.join(args.repo, 'selftests', 'host')
    logs = os.path.join(args.build, 'host')
    os.makedirs(logs, exist_ok=True)
    env = dict(os.environ,
               PVISOR_SRC=args.repo, PVISOR_BUILD=args.build,
               PVISOR_KO=args.ko or os.path.join(args.build, 'module',
                                                'pvisor.ko'),
               TEST_KVER=args.kver or '', KDIR=args.kdir or '')
    for name in names:
        prog = Program(tap, name, rel(os.path.join(logs, name + '.log')))
        cmd = ['timeout', '-k', '10', str(args.timeout),
               os.path.join(directory, name)]
        proc = subprocess.Popen(cmd, cwd=directory, env=env,
                                stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT)
        for raw in proc.stdout:
            prog.line(raw.decode('utf-8', 'replace').rstrip('\r\n'))
        status = proc.wait()
        if status < 0:
            status = 128 - status
        timed_out = status in (124, 137)
        prog.end(status, timed_out, args.timeout)


def run_sparse(tap, args):
    log = os.path.join(args.build, 'sparse.log')
    proc = subprocess.run([os.path.join(args.here, 'sparse.sh'), args.kdir,
                           log], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    out = proc.stdout.decode('utf-8', 'replace').splitlines()
    if proc.returncode == 0:
        tap.result(True, 'sparse clean')
    else:
        tap.result(False, 'sparse clean')
        tap.diag('', trim(out))


def number(text):
    """An integer from the channel, or -1 for anything else."""
    try:
        return int(text)
    except ValueError:
        return -1


class Guest:
    """Follows the test host's channel (its second serial port)."""

    def __init__(self, tap, names, args):
        self.tap = tap
        self.args = args
        self.pending = list(names)
        self.current = None
        self.outside = []
        self.insmod = None
        self.done = False
        self.poweroff = False
        self.results = os.path.join(args.qdir, 'results')
        os.makedirs(self.results, exist_ok=True)
        for old in os.listdir(self.results):
            os.unlink(os.path.join(self.results, old))

    def output(self, text):
        if self.current:
            self.current.line(text)
        else:
            self.outside.append(text)

    def feed(self, line):
        line = line.rstrip('\r')
        at = line.find(MARK)
        if at < 0:
            self.output(line)
            return
        fields = line[at + len(MARK):].split()
        # While a test runs, only its own end marker is an event: anything
        # else that looks like one is the test's output.
        if self.current and fields[:2] != ['end', self.current.name]:
            self.output(line)
            return
        if at > 0:
            self.output(line[:at])
        if fields:
            self.event(fields[0], fields[1:])

    def event(self, what, rest):
        tap = self.tap
        if what == 'insmod' and rest:
            self.insmod = number(rest[0])
            if self.insmod == 0:
                tap.result(True, 'load pvisor.ko')
            else:
                tap.result(False, 'load pvisor.ko: insmod exited with '
                           'status %d' % self.insmod)
                tap.diag('insmod:', trim(self.outside))
            self.outside = []
        elif what == 'begin' and rest:
            name = rest[0]
            if name in self.pending:
                self.pending.remove(name)
            self.current = Program(tap, name, rel(os.path.join(
                self.results, name + '.log')))
        elif what == 'end' and len(rest) >= 2 and self.current:
            status = number(rest[1])
            self.current.end(status, 'timeout' in rest[3:], self.args.timeout)
            # Each test's time, for the CI budget (testing.rst).
            if len(rest) >= 3:
                tap.emit('# %s took %s s' % (rest[0], rest[2]))
            with open(os.path.join(self.results, rest[0] + '.status'),
                      'w') as f:
                f.write(' '.join(rest[1:]) + '\n')
            self.current = None
        elif what == 'reload-failed' and len(rest) >= 2:
            if rest[0] in self.pending:
                self.pending.remove(rest[0])
            tap.result(False, '%s: not run: reloading pvisor.ko failed '
                       '(insmod exited with status %s)' % (rest[0], rest[1]))
            tap.diag('insmod:', trim(self.outside))
            self.outside = []
        elif what == 'done':
            self.done = True
        elif what == 'poweroff':
            self.poweroff = True

    def finish(self, qemu_status, seconds):
        tap = self.tap
        if qemu_status == 124:
            why = 'the test host timed out'
        elif self.insmod:
            why = 'pvisor.ko did not load'
        else:
            why = 'the test host stopped; see %s' % rel(self.console())
        if self.current:
            self.current.cut(why)
            self.current = None
        if self.insmod is None:
            tap.result(False, 'load pvisor.ko: no report (%s)' % why)
        for name in self.pending:
            tap.result(False, '%s: not run (%s)' % (name, why))
        self.kernel_log()
        if qemu_status == 124:
            tap.result(False, 'test host: timed out after %s s '
                       '(PVISOR_QEMU_TIMEOUT)' % self.args.qemu_timeout)
        elif qemu_status != 0:
            tap.result(False, 'test host: run.sh failed with status %d' %
                       qemu_status)
        elif not self.poweroff:
            tap.result(False, 'test host: stopped without a verdict '
                       '(crash or panic; see %s)' % rel(self.console()))
        else:
            tap.result(True, 'test host: powered off cleanly after %d s' % seconds)

    def console(self):
        return os.path.join(self.args.qdir, 'console.log')

    def kernel_log(self):
        try:
            with open(self.console(), 'rb') as f:
                lines = f.read().decode('utf-8', 'replace').splitlines()
        except FileNotFoundError:
            lines = []
        lines = [l.rstrip('\r') for l in lines]
        if not lines:
            self.tap.result(False, 'kernel log: empty (the kernel never '
                            'booted)')
            return
        hits = [i for i, l in enumerate(lines) if KERNEL_TROUBLE.search(l)]
        if not hits:
            self.tap.result(True, 'kernel log: no WARN/BUG/oops')
            return
        self.tap.result(False, 'kernel log: %d suspicious line(s)' % len(hits))
        first = max(0, hits[0] - 5)
        self.tap.diag('kernel:', trim(lines[first:first + 80]))
        self.tap.diag('kernel:', ['full log: ' + rel(self.console())])


def run_guest(tap, names, args):
    serial = os.path.join(args.qdir, 'serial.log')
    os.makedirs(args.qdir, exist_ok=True)
    for stale in ('serial.log', 'console.log'):
        try:
            os.unlink(os.path.join(args.qdir, stale))
        except FileNotFoundError:
            pass
    guest = Guest(tap, names, args)
    cmd = [os.path.join(args.here, 'run.sh'), '--mode', 'check',
           '--build', args.build, '--tests', ' '.join(names)]
    if args.kver:
        cmd += ['--kver', args.kver]
    if args.kernel:
        cmd += ['--kernel', args.kernel]
    if args.ko:
        cmd += ['--ko', args.ko]
    env = dict(os.environ, PVISOR_TEST_TIMEOUT=str(args.timeout),
               PVISOR_QEMU_TIMEOUT=str(args.qemu_timeout))
    start = time.monotonic()
    # Its own session: a Ctrl-C here must reach QEMU through run.sh's
    # trap, not leave it running.
    proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL,
                            stdout=sys.stderr, start_new_session=True)
    pos = 0
    pending = b''
    try:
        while True:
            status = proc.poll()
            try:
                with open(serial, 'rb') as f:
                    if os.fstat(f.fileno()).st_size < pos:
                        pos = 0
                        pending = b''
                    f.seek(pos)
                    data = f.read()
                    pos += len(data)
            except FileNotFoundError:
                data = b''
            pending += data
            *lines, pending = pending.split(b'\n')
            for line in lines:
                guest.feed(line.decode('utf-8', 'replace'))
            if status is not None:
                break
            time.sleep(0.2)
    except KeyboardInterrupt:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait()
        raise
    if pending:
        guest.feed(pending.decode('utf-8', 'replace'))
    guest.finish(status, time.monotonic() - start)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--kver', help='kernel the test host boots')
    ap.add_argument('--kdir', help='its build tree (for sparse)')
    ap.add_argument('--build', default='build', help='output directory')
    ap.add_argument('--only', help='test names or patterns to run, '
                    'separated by spaces or commas; skips sparse')
    ap.add_argument('--no-sparse', action='store_true')
    ap.add_argument('--build-failed', action='store_true',
                    help='only report that the build failed')
    ap.add_argument('--kernel', help='boot this kernel image instead '
                    '(run.sh --kernel; --kver names it)')
    ap.add_argument('--ko', help='the pvisor.ko to load')
    ap.add_argument('--timeout-scale', type=int, default=1,
                    help='multiply the default time limits (a slow kernel)')
    args = ap.parse_args()
    args.here = here
    args.repo = os.path.dirname(os.path.dirname(here))
    args.build = os.path.abspath(args.build)
    args.qdir = os.path.join(args.build, 'qemu')
    # Explicit limits are taken as given; the defaults scale.
    args.timeout = int(os.environ.get('PVISOR_TEST_TIMEOUT') or
                       900 * args.timeout_scale)
    args.qemu_timeout = int(os.environ.get('PVISOR_QEMU_TIMEOUT') or
                            3600 * args.timeout_scale)
    os.chdir(args.repo)

    if args.build_failed:
        tap = Tap(os.path.join(args.build, 'check.tap'))
        tap.result(False, 'build (its errors are on stderr)')
        return tap.finish()

    only = None
    if args.only and args.only.strip():
        only = args.only.replace(',', ' ').split()
    host = list_tests(os.path.join(args.repo, 'selftests', 'host'), only)
    # The test host's tests: scripts from the tree, programs from the
    # build (selftests/Makefile builds out of the tree).
    scripts = [name for name in
               list_tests(os.path.join(args.repo, 'selftests', 'pvisor'),
                          only) if '.' in name]
    programs = [name for name in
                list_tests(os.path.join(args.build, 'selftests', 'pvisor'),
                           only) if '.' not in name]
    guest = sorted(scripts + programs)
    if only is not None and not host and not guest:
        sys.stderr.write('check: no test matches %s\n' % ' '.join(only))
        return 2

    tap = Tap(os.path.join(args.build, 'check.tap'))
    run_host_tests(tap, host, args)
    if only is None and not args.no_sparse:
        if args.kdir:
            run_sparse(tap, args)
        else:
            tap.result(False, 'sparse clean: no kernel build tree given')
    if only is None or guest:
        run_guest(tap, guest, args)
    return tap.finish()


if __name__ == '__main__':
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
