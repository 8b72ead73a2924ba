#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The man pages are complete and render (TAP 13).

Documentation/man/*.rst become man pages through docutils' manpage
writer. What they must cover comes from the code, not from a list kept by
hand: every pvctl subcommand in pvctl.c's dispatch table and every option
its --help prints, every pvrun option, every domain config key (the
table in userspace/lib/domcfg.c), every module parameter
(module_param in kmod/) and every sysfs file (DEVICE_ATTR_* in kmod/).
"""
import glob
import os
import re
import subprocess
import sys

try:
    import docutils.core
except ImportError:
    print("TAP version 13\n1..0 # SKIP python3-docutils not installed")
    sys.exit(4)

top = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
# The tools are built out of the tree (scripts/outdir.mk).
build = os.environ.get("PVISOR_BUILD") or os.path.join(top, "build")
man = os.path.join(top, "Documentation", "man")
count = failures = 0


def result(ok, desc):
    global count, failures
    count += 1
    if not ok:
        failures += 1
    print("%sok %d %s" % ("" if ok else "not ", count, desc))


def page(name):
    with open(os.path.join(man, name + ".rst"), encoding="utf-8") as f:
        return f.read()


def render(name):
    try:
        out = docutils.core.publish_string(
            page(name), writer_name="manpage",
            settings_overrides={"report_level": 2, "halt_level": 2})
    except Exception as e:  # docutils raises SystemMessage subclasses
        return None, str(e).splitlines()[0]
    return out.decode("utf-8", "replace"), None


def options_in_help(binary, args):
    """The long options a --help output names."""
    proc = subprocess.run([binary] + args, capture_output=True, text=True)
    return sorted(set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*)",
                                 proc.stdout + proc.stderr)))


def source(pattern):
    text = ""
    for path in sorted(glob.glob(os.path.join(top, pattern))):
        with open(path, encoding="utf-8") as f:
            text += f.read()
    return text


print("TAP version 13")

pages = sorted(os.path.basename(p)[:-4]
               for p in glob.glob(os.path.join(man, "*.rst")))
for name in pages:
    out, err = render(name)
    title, section = name.rsplit(".", 1)
    th = re.search(r'^\.TH "?%s"? "?%s"?' % (re.escape(title.upper()), section),
                   out or "", re.M)
    result(th is not None, "%s renders as a section-%s man page%s" %
           (name, section, "" if err is None else ": " + err))

for required in ("pvctl.8", "pvrun.8", "pvisord.8", "pvblkback.8",
                 "pvisor.4", "pvisor.cfg.5"):
    result(required in pages, "Documentation/man/%s.rst exists" % required)

pvctl_page = page("pvctl.8") if "pvctl.8" in pages else ""
table = source("userspace/pvctl/pvctl.c")
subcommands = re.findall(r'\{\s*"([a-z][a-z-]*)",\s*\w+_main,', table)
result(len(subcommands) >= 10,
       "pvctl.c's dispatch table lists %d subcommands" % len(subcommands))
headings = set()
for title in re.findall(r"^(.+)\n-+\n", pvctl_page, re.M):
    headings.update(t.strip() for t in title.split(","))
pvctl = os.path.join(build, "userspace", "pvctl", "pvctl")
for sub in subcommands:
    result(sub in headings, "pvctl(8) has a section for '%s'" % sub)
    if not os.access(pvctl, os.X_OK):
        result(False, "pvctl is built, to read '%s --help'" % sub)
        continue
    missing = [o for o in options_in_help(pvctl, [sub, "--help"])
               if o not in pvctl_page]
    result(not missing, "pvctl(8) names every option of '%s'%s" %
           (sub, " (missing %s)" % " ".join(missing) if missing else ""))

for prog, path in (("pvrun", "userspace/runner/pvrun"),
                   ("pvisord", "userspace/pvisord/pvisord"),
                   ("pvblkback", "userspace/blkback/pvblkback")):
    binary = os.path.join(build, path)
    text = page(prog + ".8") if prog + ".8" in pages else ""
    if not os.access(binary, os.X_OK):
        result(False, "%s is built, to read its --help" % prog)
        continue
    missing = [o for o in options_in_help(binary, ["--help"])
               if o not in text]
    result(not missing, "%s(8) names every option of %s%s" %
           (prog, prog, " (missing %s)" % " ".join(missing) if missing else ""))

cfg_page = page("pvisor.cfg.5") if "pvisor.cfg.5" in pages else ""
cfg_keys = re.findall(r'\.key = "([a-z_]+)"', source("userspace/lib/domcfg.c"))
result(len(cfg_keys) >= 10,
       "domcfg.c's table lists %d config keys" % len(cfg_keys))
for k in cfg_keys:
    result(re.search(r"^%s\n    " % re.escape(k), cfg_page, re.M)
           is not None, "pvisor.cfg(5) documents the key '%s'" % k)

kmod = source("kmod/*.c")
module_page = page("pvisor.4") if "pvisor.4" in pages else ""
params = sorted(set(re.findall(r"module_param(?:_named)?\(\s*(\w+)", kmod)))
result(len(params) >= 2, "kmod/ declares %d module parameters" % len(params))
for p in params:
    result(re.search(r"^%s\n    " % re.escape(p), module_page, re.M)
           is not None, "pvisor(4) documents the parameter '%s'" % p)
attrs = sorted(set(re.findall(r"DEVICE_ATTR_(?:RO|RW|WO)\(\s*(\w+)", kmod)))
result(len(attrs) >= 4, "kmod/ declares %d sysfs files" % len(attrs))
for a in attrs:
    result(re.search(r"^%s\n    " % re.escape(a), module_page, re.M)
           is not None, "pvisor(4) documents the sysfs file '%s'" % a)

print("1..%d" % count)
sys.exit(1 if failures else 0)
