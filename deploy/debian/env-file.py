#!/usr/bin/env python3
"""Writes /etc/vertrouwd/vertrouwd.env from the README's table of settings, so that the package
documents every variable the README does, in the README's words, each one commented out."""
import re
import sys
import textwrap

ROW = re.compile(r"^\| (`[A-Z_]+`.*?) \| (.*?) \| (.*) \|$")
# Settings the unit's confinement limits.
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
        "# 0640 root:vertrouwd. Values in this file win over the unit's Environment= lines.\n"
        "# The full explanation: /usr/share/doc/vertrouwd/deployment.md.gz.\n"
    )
    count = 0
    for names, default, meaning in rows(readme):
        # "`VERTROUWD_SMTP_PASSWORD` (or `_PASSWORD_FILE`)": the second is the first with its last
        # word replaced, VERTROUWD_SMTP_PASSWORD_FILE.
        variables = [name for name in re.findall(r"`([A-Z_]+)`", names) if not name.startswith("_")]
        plain = lambda text: re.sub(r"`([^`]*)`", r"\1", text)
        out.write("\n")
        for line in textwrap.wrap(plain(meaning), width=94):
            out.write(f"# {line}\n")
        out.write(f"# Default: {plain(default)}\n")
        if variables[0] in SET_BY_UNIT:
            out.write("# The unit may write only in /var/lib/vertrouwd (ReadWritePaths=): another directory\n"
                      "# also needs ReadWritePaths= in a drop-in (systemctl edit vertrouwd).\n")
        for variable in variables:
            out.write(f"#{variable}=\n")
            count += 1
            after = names[names.find(f"`{variable}`") + len(variable) + 2:].strip()
            if suffix := re.match(r"\(or `(_[A-Z_]+)`\)", after):
                out.write(f"#{variable.rsplit('_', 1)[0]}{suffix.group(1)}=\n")
                count += 1
    if count < 20:
        sys.exit(f"only {count} settings found in {readme_path}: has the table moved?")


if __name__ == "__main__":
    main(sys.argv[1], sys.stdout)
