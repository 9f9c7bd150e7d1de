#!/usr/bin/python3
"""Ansible module: put the room's files on a kiosk in one round trip (the cage drop-ins, the
touch rule, the closing timer, the journal upload's settings), each only if its content or mode
differs, written beside and renamed into place; and remove those the inventory no longer asks
for. Returns which changed, so that only the handlers that read them run. (Ansible's template
module would take two round trips a file: on a slow link, most of a kiosk's time.)"""
from __future__ import annotations

import os
import tempfile

from ansible.module_utils.basic import AnsibleModule

DOCUMENTATION = r"""
module: digit_exhibit_files
short_description: Write and remove a kiosk's settings files, idempotently, in one call
options:
  present: {description: "files to have: path, content, mode (default 0644)", type: list, elements: dict, default: []}
  absent: {description: "files not to have", type: list, elements: path, default: []}
"""


def want(path: str, content: str, mode: int) -> bool:
    """True if the file is already there with this content and mode."""
    try:
        st = os.stat(path)
        with open(path, "rb") as f:
            return f.read() == content.encode() and (st.st_mode & 0o7777) == mode
    except OSError:
        return False


def main() -> None:
    module = AnsibleModule(argument_spec={
        "present": {"type": "list", "elements": "dict", "default": []},
        "absent": {"type": "list", "elements": "path", "default": []},
    }, supports_check_mode=True)
    changed = []
    for item in module.params["present"]:
        path = os.path.abspath(item["path"])
        content = str(item.get("content", ""))
        mode = int(str(item.get("mode", "0644")), 8)
        if want(path, content, mode):
            continue
        changed.append(path)
        if module.check_mode:
            continue
        try:
            os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".fleet-")
            with os.fdopen(fd, "wb") as f:
                f.write(content.encode())
            os.chmod(tmp, mode)
            os.replace(tmp, path)
        except OSError as e:
            module.fail_json(msg=f"cannot write {path}: {e.strerror or e}", changed_paths=changed)
    for path in module.params["absent"]:
        if os.path.lexists(path):
            changed.append(path)
            if not module.check_mode:
                try:
                    os.unlink(path)
                except OSError as e:
                    module.fail_json(msg=f"cannot remove {path}: {e.strerror or e}", changed_paths=changed)
    module.exit_json(changed=bool(changed), changed_paths=changed)


if __name__ == "__main__":
    main()
