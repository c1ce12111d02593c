#!/usr/bin/python3
"""Every command's --help, usage errors and global options, through the binary.

usage: run_help.py SHIPCHIPS_BIN

- The commands `shipchips --help` (and each group's --help) lists equal tests/cli/commands.txt.
- `shipchips CMD --help`: exit 0, "Usage:" and the command's name on stdout, nothing on stderr.
- `shipchips CMD --no-such-option`: exit 2 (invalid_argument) with one line on stderr naming
  the command and the option.
- Unknown commands (`shipchips serve --help`, `shipchips fixture nope`): exit 2, one line.
- Global options after the command: `shipchips doctor --config MISSING` and
  `shipchips --config MISSING doctor` both fail on MISSING with config_invalid's code.
Prints "N passed, N failed"; exits 1 on any failure.
"""
import os
import re
import subprocess
import sys
import tempfile

USAGE_EXIT = 2


def run(argv, cwd):
    p = subprocess.run(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                       timeout=60, env={k: v for k, v in os.environ.items() if not k.startswith("SHIPCHIPS_")})
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def subcommands(help_text):
    names = []
    if "Subcommands:" not in help_text:
        return names
    for line in help_text.split("Subcommands:", 1)[1].splitlines():
        m = re.match(r"^  (\S+)\s", line)
        if m:
            names.append(m.group(1))
    return names


def main():
    binary = os.path.abspath(sys.argv[1])
    here = os.path.dirname(os.path.abspath(__file__))
    expected = [l.strip() for l in open(os.path.join(here, "commands.txt")) if l.strip() and not l.startswith("#")]
    passed = failed = 0
    cwd = tempfile.mkdtemp(prefix="shipchips-help-")

    def check(ok, what, detail=""):
        nonlocal passed, failed
        if ok:
            passed += 1
        else:
            failed += 1
            print(f"FAIL {what}\n{detail}", file=sys.stderr)

    code, out, err = run([binary, "--help"], cwd)
    check(code == 0 and err == "", "shipchips --help", err)
    found = []
    for top in subcommands(out):
        code, sub_out, _ = run([binary, top, "--help"], cwd)
        subs = subcommands(sub_out)
        found += [f"{top} {s}" for s in subs] if subs else [top]
    check(sorted(found) == sorted(expected), "commands listed by --help equal tests/cli/commands.txt",
          f"  help lists: {sorted(found)}\n  expected:   {sorted(expected)}")

    for command in expected:
        words = command.split()
        code, out, err = run([binary, *words, "--help"], cwd)
        check(code == 0 and "Usage:" in out and words[-1] in out.split("Usage:", 1)[1].splitlines()[0] and err == "",
              f"shipchips {command} --help: exit {code}", err)
        code, out, err = run([binary, *words, "--no-such-option"], cwd)
        lines = err.strip().splitlines()
        # CLI11 names a missing required option before an unknown one; either is the usage error.
        check(code == USAGE_EXIT and len(lines) == 1 and lines[0].startswith(f"shipchips {command}: error [invalid_argument")
              and ("--no-such-option" in lines[0] or "is required" in lines[0]),
              f"shipchips {command} --no-such-option: exit {code}", err)

    for argv in (["serve", "--help"], ["fixture", "nope"], ["nope"]):
        code, out, err = run([binary, *argv], cwd)
        check(code == USAGE_EXIT and "unknown command" in err and len(err.strip().splitlines()) == 1 and out == "",
              f"shipchips {' '.join(argv)}: exit {code}, expected {USAGE_EXIT}", out + err)

    missing = os.path.join(cwd, "missing.yaml")
    for argv in (["index", "export", "--config", missing], ["--config", missing, "index", "export"],
                 ["index", "export", "--log-level", "debug", "--config", missing, "--log-json"]):
        code, out, err = run([binary, *argv], cwd)
        check(code == 3 and "missing.yaml: file not found" in err, f"shipchips {' '.join(argv)}: exit {code}, expected 3",
              err)
    # doctor reports instead of failing at the first problem: the config check names the file.
    code, out, err = run([binary, "doctor", "--offline", "--config", missing], cwd)
    check(code == 1 and re.search(r"^error\s+config\s+.*missing\.yaml: file not found", out, re.M),
          f"shipchips doctor --offline --config MISSING: exit {code}", out + err)

    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
