#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Every Documentation/*.rst parses cleanly with docutils (TAP 13).

Sphinx's toctree directive and :doc: role are stood in for, so that a
malformed table or title, which Sphinx would render wrongly, fails here.
"""
import glob
import io
import os
import sys

try:
    import docutils.core
    from docutils.parsers.rst import Directive, directives, roles
    from docutils import nodes
except ImportError:
    print("TAP version 13\n1..0 # SKIP python3-docutils not installed")
    sys.exit(4)


class TocTree(Directive):
    has_content = True
    option_spec = {"maxdepth": directives.unchanged}

    def run(self):
        return []


def doc_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    return [nodes.literal(rawtext, text)], []


directives.register_directive("toctree", TocTree)
roles.register_local_role("doc", doc_role)

top = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
files = sorted(glob.glob(os.path.join(top, "Documentation", "**", "*.rst"),
                         recursive=True))
print("TAP version 13")
print(f"1..{len(files)}")
failed = 0
for n, path in enumerate(files, 1):
    rel = os.path.relpath(path, top)
    errors = io.StringIO()
    with open(path, encoding="utf-8") as f:
        docutils.core.publish_doctree(
            f.read(), source_path=rel,
            settings_overrides={"report_level": 2, "halt_level": 5,
                                "warning_stream": errors})
    report = errors.getvalue().strip()
    if report:
        failed += 1
        print(f"not ok {n} {rel} parses without warnings")
        for line in report.splitlines():
            print(f"# {line}")
    else:
        print(f"ok {n} {rel} parses without warnings")
sys.exit(1 if failed else 0)
