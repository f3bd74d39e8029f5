#!/usr/bin/env python3
"""Writes /etc/vertrouwd/vertrouwd.env from the README's table of settings, so that the package
documents every variable the README does, in the README's words, each one commented out."""
import re
import sys
import textwrap

ROW = re.compile(r"^\| (`[A-Z_]+`.*?) \| (.*?) \| (.*) \|$")
# Set by the unit itself, or secrets that belong in files of their own, not in this one.
SET_BY_UNIT = {"VERTROUWD_DATA_DIR"}


def rows(readme):
    in_table = False
    for line in readme.splitlines():
        if line.startswith("## Environment"):
            in_table = True
        elif in_table and line.startswith("## "):
            return
        elif in_table and (match := ROW.match(line)):
            yield match.groups()


def main(readme_path, out):
    with open(readme_path, encoding="utf-8") as handle:
        readme = handle.read()
    out.write(
        "# Settings for Vertrouwd, read by its systemd unit (EnvironmentFile=). Every setting is\n"
        "# listed here, commented out, with its default. Uncomment a line to change it, then\n"
        "# `systemctl restart vertrouwd`. This file may hold a database password: keep it\n"
        "# 0640 root:vertrouwd. The full explanation: /usr/share/doc/vertrouwd/deployment.md.\n"
    )
    count = 0
    for names, default, meaning in rows(readme):
        variables = re.findall(r"`([A-Z_]+)`", names)
        plain = lambda text: re.sub(r"`([^`]*)`", r"\1", text)
        out.write("\n")
        for line in textwrap.wrap(plain(meaning), width=94):
            out.write(f"# {line}\n")
        out.write(f"# Default: {plain(default)}\n")
        if variables[0] in SET_BY_UNIT:
            out.write(f"# (The unit sets {variables[0]}=/var/lib/vertrouwd.)\n")
        for variable in variables:
            suffix = re.match(r"\(or `(_[A-Z_]+)`\)", names[names.find(variable) + len(variable) + 2 :].strip())
            out.write(f"#{variable}=\n")
            if suffix:
                out.write(f"#{variable}{suffix.group(1)}=\n")
            count += 1
    if count < 20:
        sys.exit(f"only {count} settings found in {readme_path}: has the table moved?")


if __name__ == "__main__":
    main(sys.argv[1], sys.stdout)
