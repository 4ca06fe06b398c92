"""A minimal QMP client: enough to run monitor commands (hostfwd_add) on a
QEMU started with -qmp unix:PATH,server=on,wait=off."""
import json
import socket
import time


class QmpError(Exception):
    pass


class Qmp:
    def __init__(self, path, wait=5.0):
        deadline = time.monotonic() + wait
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.settimeout(wait)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise QmpError(f"QEMU's monitor did not answer at {path}") from None
                time.sleep(0.02)
        self.file = self.sock.makefile("rb")
        self._reply()                      # the greeting
        self.command("qmp_capabilities")

    def _reply(self):
        while True:
            line = self.file.readline()
            if not line:
                raise QmpError("QEMU's monitor closed")
            msg = json.loads(line)
            if "event" not in msg:
                return msg

    def command(self, name, **arguments):
        request = {"execute": name}
        if arguments:
            request["arguments"] = arguments
        self.sock.sendall(json.dumps(request).encode() + b"\n")
        reply = self._reply()
        if "error" in reply:
            raise QmpError(reply["error"].get("desc", str(reply["error"])))
        return reply.get("return")

    def hmp(self, command_line):
        """A human-monitor command; its text output ('' when all went well)."""
        return self.command("human-monitor-command", **{"command-line": command_line})

    def close(self):
        self.sock.close()
