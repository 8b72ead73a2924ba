#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The netlink spec and the uapi header must say the same thing.

Documentation/netlink/specs/pvisor.yaml is the contract; uapi/pvisor/netlink.h
is what C code compiles against. This check derives from the spec every C
name and value the header must have (the way the kernel's ynl tools name
them) and compares them with what the header defines: the family and group
names, the constants, the domain-state enum, the command enum and both
attribute sets, entry by entry with nothing missing or extra, and the
spec's own checks against its constants.

Runs on the build host: python3 and PyYAML. Prints TAP 13; exits 0 when
every check passed, 1 otherwise.
"""

import os
import re
import sys

import yaml

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SPEC = os.path.join(ROOT, "Documentation", "netlink", "specs", "pvisor.yaml")
HEADER = os.path.join(ROOT, "uapi", "pvisor", "netlink.h")


class Tap:
    def __init__(self):
        self.results = []

    def ok(self, cond, desc, why=""):
        self.results.append((bool(cond), desc, why))
        return bool(cond)

    def finish(self):
        print("TAP version 13")
        print("1..%d" % len(self.results))
        failed = 0
        for n, (cond, desc, why) in enumerate(self.results, 1):
            print("%sok %d %s" % ("" if cond else "not ", n, desc.replace("#", "")))
            if not cond:
                failed += 1
                for line in why.splitlines():
                    print("# " + line)
        print("# totals: pass:%d fail:%d" % (len(self.results) - failed, failed))
        return 1 if failed else 0


def c_name(*parts):
    """ynl's spelling: upper case, dashes to underscores."""
    return "".join(parts).upper().replace("-", "_")


# ---- the header ------------------------------------------------------------

def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    return re.sub(r"//[^\n]*", " ", text)


def parse_int(token, known):
    token = token.strip()
    if token in known:
        return known[token]
    m = re.fullmatch(r"\(?\s*(0[xX][0-9a-fA-F]+|\d+)[uUlL]*\s*\)?", token)
    if m:
        return int(m.group(1), 0)
    m = re.fullmatch(r"\(?\s*(\w+)\s*([+-])\s*(\w+)\s*\)?", token)
    if m:
        a, b = parse_int(m.group(1), known), parse_int(m.group(3), known)
        if a is not None and b is not None:
            return a + b if m.group(2) == "+" else a - b
    return None


def parse_header(path):
    """Return (defines, enums): #define name -> value (int or str) and
    enum name -> ordered list of (entry, value)."""
    text = strip_comments(open(path).read())
    values = {}
    enums = {}
    for m in re.finditer(r"\benum\s+(\w+)\s*\{(.*?)\}\s*;", text, flags=re.S):
        entries = []
        nxt = 0
        for item in m.group(2).split(","):
            item = item.strip()
            if not item:
                continue
            name, _, expr = item.partition("=")
            name = name.strip()
            if expr.strip():
                val = parse_int(expr, values)
                if val is None:
                    raise ValueError("cannot evaluate %s = %s" % (name, expr))
            else:
                val = nxt
            entries.append((name, val))
            values[name] = val
            nxt = val + 1
        enums[m.group(1)] = entries
    defines = {}
    for m in re.finditer(r"^[ \t]*#[ \t]*define[ \t]+(\w+)[ \t]+([^\n]+)$", text, flags=re.M):
        name, body = m.group(1), m.group(2).strip()
        s = re.fullmatch(r'"([^"]*)"', body)
        if s:
            defines[name] = s.group(1)
            continue
        val = parse_int(body, {**values, **{k: v for k, v in defines.items() if isinstance(v, int)}})
        if val is not None:
            defines[name] = val
            values[name] = val
    return defines, enums


# ---- the checks ------------------------------------------------------------

def expect_entries(tap, desc, got, want):
    """An enum's entries, in order, must be exactly @want."""
    if got is None:
        return tap.ok(False, desc, "the header has no such enum")
    why = []
    got_d, want_d = dict(got), dict(want)
    for name, val in want:
        if name not in got_d:
            why.append("missing %s (= %d)" % (name, val))
        elif got_d[name] != val:
            why.append("%s is %d in the header, %d in the spec" % (name, got_d[name], val))
    for name, val in got:
        if name not in want_d:
            why.append("%s (= %d) is not in the spec" % (name, val))
    if not why and [n for n, _ in got] != [n for n, _ in want]:
        why.append("order differs: %s" % ", ".join(n for n, _ in got))
    return tap.ok(not why, desc, "\n".join(why))


def main():
    tap = Tap()
    try:
        spec = yaml.safe_load(open(SPEC))
        defines, enums = parse_header(HEADER)
    except (OSError, yaml.YAMLError, ValueError) as e:
        print("TAP version 13\n1..0\nBail out! %s" % e)
        return 1

    family = spec["name"]
    fam = family + "-"
    tap.ok(spec.get("protocol") == "genetlink", "the spec describes a genetlink family")
    tap.ok(defines.get(c_name(fam, "genl-name")) == family,
           "%s is \"%s\"" % (c_name(fam, "genl-name"), family),
           "header: %r" % defines.get(c_name(fam, "genl-name")))
    tap.ok(spec.get("uapi-header") == "pvisor/netlink.h", "the spec names uapi header pvisor/netlink.h",
           "spec: %r" % spec.get("uapi-header"))

    # Definitions: constants and enums.
    consts = {}
    enum_defs = {}
    for d in spec.get("definitions", []):
        if d["type"] == "const":
            consts[d["name"]] = d["value"]
            cname = c_name(fam, d["name"])
            tap.ok(defines.get(cname) == d["value"],
                   "constant %s is %s" % (cname, d["value"]),
                   "header: %r" % defines.get(cname))
        elif d["type"] == "enum":
            enum_defs[d["name"]] = d
            start = d.get("value-start", 0)
            want = []
            for i, e in enumerate(d["entries"]):
                ename = e["name"] if isinstance(e, dict) else e
                val = e.get("value", start + i) if isinstance(e, dict) else start + i
                want.append((c_name(fam, d["name"], "-", ename), val))
            expect_entries(tap, "enum %s matches the spec's %s" % (c_name(fam, d["name"]).lower(), d["name"]),
                           enums.get(c_name(fam, d["name"]).lower()), want)
        else:
            tap.ok(False, "definition %s has a type this check knows" % d["name"], "type %s" % d["type"])
    for name in ("name-max", "domid-max", "max-vcpus"):
        tap.ok(name in consts, "the spec defines the constant %s" % name)

    # Attribute sets: 0 is UNSPEC, entries from 1, then __..._MAX and _MAX.
    sets = {s["name"]: s for s in spec.get("attribute-sets", [])}
    tap.ok(set(sets) == {"domain", "info"}, "the spec has attribute sets domain and info",
           "sets: %s" % sorted(sets))
    for sname, aset in sets.items():
        prefix = aset.get("name-prefix", fam + "a-" + sname + "-")
        tap.ok(prefix == "%sa-%s-" % (fam, sname), "set %s has name-prefix %sa-%s-" % (sname, fam, sname),
               "spec: %r" % prefix)
        want = [(c_name(prefix, "unspec"), 0)]
        val = 0
        for a in aset["attributes"]:
            val = a.get("value", val + 1)
            want.append((c_name(prefix, a["name"]), val))
        last = want[-1][1]
        want.append(("__" + c_name(prefix, "max"), last + 1))
        enum_name = c_name(fam, "a-", sname).lower()
        expect_entries(tap, "enum %s matches attribute set %s" % (enum_name, sname),
                       enums.get(enum_name), want)
        tap.ok(defines.get(c_name(prefix, "max")) == last,
               "%s is %d" % (c_name(prefix, "max"), last),
               "header: %r" % defines.get(c_name(prefix, "max")))

    # Operations: enum pvisor_cmd with UNSPEC at 0.
    ops = spec["operations"]
    oprefix = ops.get("name-prefix", fam + "cmd-")
    tap.ok(oprefix == fam + "cmd-", "operations have name-prefix %scmd-" % fam, "spec: %r" % oprefix)
    want = [(c_name(oprefix, "unspec"), 0)]
    val = 0
    for op in ops["list"]:
        val = op.get("value", val + 1)
        want.append((c_name(oprefix, op["name"]), val))
    want.append(("__" + c_name(oprefix, "max"), val + 1))
    expect_entries(tap, "enum %s matches the operations" % c_name(fam, "cmd").lower(),
                   enums.get(c_name(fam, "cmd").lower()), want)
    tap.ok(defines.get(c_name(oprefix, "max")) == val, "%s is %d" % (c_name(oprefix, "max"), val),
           "header: %r" % defines.get(c_name(oprefix, "max")))
    for op in ops["list"]:
        aset = sets.get(op.get("attribute-set"), {"attributes": []})
        names = {a["name"] for a in aset["attributes"]}
        used = []
        for kind in ("do", "dump"):
            for part in ("request", "reply"):
                used += op.get(kind, {}).get(part, {}).get("attributes", [])
        unknown = sorted(set(used) - names)
        tap.ok(not unknown, "operation %s uses only attributes of set %s" % (op["name"], op.get("attribute-set")),
               "unknown: %s" % ", ".join(unknown))

    # Multicast groups.
    groups = [g["name"] for g in spec.get("mcast-groups", {}).get("list", [])]
    for g in groups:
        cname = c_name(fam, "mcgrp-", g)
        tap.ok(defines.get(cname) == g, "%s is \"%s\"" % (cname, g), "header: %r" % defines.get(cname))
    tap.ok(groups == ["domain"], "the spec has the one multicast group \"domain\"", "groups: %s" % groups)

    # The spec's checks agree with its constants.
    dom = {a["name"]: a for a in sets.get("domain", {}).get("attributes", [])}

    def check(attr, key):
        return dom.get(attr, {}).get("checks", {}).get(key)

    def resolve(v):
        return consts.get(v, v) if isinstance(v, str) else v

    tap.ok(resolve(check("name", "max-len")) == consts.get("name-max", 0) - 1,
           "name's max-len is name-max - 1 (room for the NUL)",
           "max-len %r, name-max %r" % (check("name", "max-len"), consts.get("name-max")))
    tap.ok(resolve(check("id", "min")) == 1 and resolve(check("id", "max")) == consts.get("domid-max"),
           "id is checked to 1..domid-max")
    tap.ok(resolve(check("vcpus", "min")) == 1 and resolve(check("vcpus", "max")) == consts.get("max-vcpus"),
           "vcpus is checked to 1..max-vcpus")
    state = dom.get("state", {})
    tap.ok(state.get("enum") in enum_defs, "the state attribute refers to a defined enum",
           "enum: %r" % state.get("enum"))

    return tap.finish()


if __name__ == "__main__":
    sys.exit(main())
