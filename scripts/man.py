#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Render Documentation/man/NAME.SECTION.rst into DIR/manSECTION/NAME.SECTION.

usage: man.py DIR [PAGE.rst...]   (default: every page)

The pages are reStructuredText; docutils' manpage writer turns them into
roff. A warning fails the run, so a page that would render wrongly is
never installed.
"""
import glob
import os
import sys

import docutils.core


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__.strip().splitlines()[2])
    out = sys.argv[1]
    top = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    pages = sys.argv[2:] or sorted(
        glob.glob(os.path.join(top, "Documentation", "man", "*.rst")))
    for src in pages:
        name = os.path.basename(src)[:-len(".rst")]
        section = name.rsplit(".", 1)[1]
        with open(src, encoding="utf-8") as f:
            roff = docutils.core.publish_string(
                f.read(), writer_name="manpage",
                settings_overrides={"report_level": 2, "halt_level": 2})
        dest = os.path.join(out, "man" + section)
        os.makedirs(dest, exist_ok=True)
        with open(os.path.join(dest, name), "wb") as f:
            f.write(roff)


if __name__ == "__main__":
    main()
